package io.credence.protocol.receipt;

import static io.credence.protocol.Hashes.keccak256;

import io.credence.contracts.InferenceHub;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * What a requester signs to have a request submitted for it (the hub's {@code
 * requestInferenceFor}): {@code InferenceRequest(address requester,uint256 modelId,bytes32
 * inputHash,uint256 fee,uint256 gasAllowance,uint256 maxFeePerGas,uint64 deadline,address
 * callback,uint32 callbackGas,uint256 nonce)} under the hub's domain ({@link
 * Eip712Domain#credence}). {@code nonce} is keyed: the top 192 bits a key, the low 64 bits that
 * key's sequence ({@code InferenceHub.nonces(requester, key)}).
 */
public record InferenceRequest(
    String requester,
    BigInteger modelId,
    byte[] inputHash,
    BigInteger fee,
    BigInteger gasAllowance,
    BigInteger maxFeePerGas,
    long deadline,
    String callback,
    long callbackGas,
    BigInteger nonce) {
  public static final String TYPE =
      "InferenceRequest(address requester,uint256 modelId,bytes32 inputHash,uint256 fee,uint256 gasAllowance,uint256 maxFeePerGas,uint64 deadline,address callback,uint32 callbackGas,uint256 nonce)";
  private static final byte[] TYPE_HASH = keccak256(TYPE.getBytes(StandardCharsets.UTF_8));

  /** No callback. */
  public static final String NO_CALLBACK = "0x0000000000000000000000000000000000000000";

  public InferenceRequest {
    requester = address(requester, "requester");
    callback = address(callback, "callback");
    Objects.requireNonNull(modelId, "modelId");
    inputHash = Eip712.bytes32(inputHash, "inputHash").clone();
    Objects.requireNonNull(fee, "fee");
    Objects.requireNonNull(gasAllowance, "gasAllowance");
    Objects.requireNonNull(maxFeePerGas, "maxFeePerGas");
    Objects.requireNonNull(nonce, "nonce");
    if (deadline < 0 || callbackGas < 0 || callbackGas > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("deadline and callbackGas must be unsigned");
    }
  }

  private static String address(String a, String what) {
    if (a == null || !a.matches("0x[0-9a-fA-F]{40}")) {
      throw new IllegalArgumentException(what + " must be a 0x-prefixed 20-byte address");
    }
    return a.toLowerCase(Locale.ROOT);
  }

  public byte[] structHash() {
    return keccak256(
        Eip712.concat(
            TYPE_HASH,
            Eip712.address(requester),
            Eip712.uint(modelId),
            inputHash,
            Eip712.uint(fee),
            Eip712.uint(gasAllowance),
            Eip712.uint(maxFeePerGas),
            Eip712.uint(deadline),
            Eip712.address(callback),
            Eip712.uint(callbackGas),
            Eip712.uint(nonce)));
  }

  /** The digest the hub verifies ({@code requestDigest}): EIP-712 under {@code domain}. */
  public byte[] digest(Eip712Domain domain) {
    return domain.digest(structHash());
  }

  /** The hub's form, for {@code requestInferenceFor}. */
  public InferenceHub.SignedRequest toHub() {
    return new InferenceHub.SignedRequest(
        requester,
        modelId,
        inputHash.clone(),
        fee,
        gasAllowance,
        maxFeePerGas,
        BigInteger.valueOf(deadline),
        callback,
        BigInteger.valueOf(callbackGas),
        nonce);
  }

  /**
   * The EIP-712 message as a wallet signs it ({@code eth_signTypedData_v4}) and the relayer's
   * {@code POST /v1/requests} takes it: each field by its name, numbers as decimal strings, bytes
   * and addresses as 0x-hex.
   */
  public java.util.Map<String, String> message() {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("requester", requester);
    m.put("modelId", modelId.toString());
    m.put("inputHash", org.web3j.utils.Numeric.toHexString(inputHash));
    m.put("fee", fee.toString());
    m.put("gasAllowance", gasAllowance.toString());
    m.put("maxFeePerGas", maxFeePerGas.toString());
    m.put("deadline", Long.toString(deadline));
    m.put("callback", callback);
    m.put("callbackGas", Long.toString(callbackGas));
    m.put("nonce", nonce.toString());
    return m;
  }

  /** A nonce of {@code key}'s sequence: {@code key << 64 | sequence}. */
  public static BigInteger nonce(BigInteger key, long sequence) {
    if (key.signum() < 0 || key.bitLength() > 192 || sequence < 0) {
      throw new IllegalArgumentException("a nonce key is 192 bits and a sequence 64");
    }
    return key.shiftLeft(64).or(BigInteger.valueOf(sequence));
  }

  @Override
  public byte[] inputHash() {
    return inputHash.clone();
  }
}
