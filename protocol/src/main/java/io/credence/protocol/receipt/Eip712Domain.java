package io.credence.protocol.receipt;

import static io.credence.protocol.Hashes.keccak256;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.web3j.utils.Numeric;

/**
 * An EIP-712 domain. Receipts and failures use {@link #credence}: name "Credence", version "1", the
 * chain id and the InferenceHub's address, so a signature is valid on one chain and one hub only.
 * Worker key proofs use {@link #workerRegistry}.
 */
public record Eip712Domain(String name, String version, long chainId, String verifyingContract) {
  private static final byte[] TYPE_HASH =
      keccak256(
          "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
              .getBytes(StandardCharsets.UTF_8));

  public Eip712Domain {
    if (!Numeric.cleanHexPrefix(verifyingContract).matches("[0-9a-fA-F]{40}")) {
      throw new IllegalArgumentException(
          "verifyingContract is not an address: " + verifyingContract);
    }
  }

  /** The domain receipts and failures are signed under. */
  public static Eip712Domain credence(long chainId, String hubAddress) {
    return new Eip712Domain("Credence", "1", chainId, hubAddress);
  }

  /** The domain of worker key proofs ({@code WorkerKey(address operator)}). */
  public static Eip712Domain workerRegistry(long chainId, String workerRegistryAddress) {
    return new Eip712Domain("Credence WorkerRegistry", "1", chainId, workerRegistryAddress);
  }

  /** The separators of the domains in use (a process signs under one or two). */
  private static final Map<Eip712Domain, byte[]> SEPARATORS = new ConcurrentHashMap<>();

  public byte[] separator() {
    byte[] cached = SEPARATORS.get(this);
    if (cached == null) {
      cached = computeSeparator();
      if (SEPARATORS.size() < 64) {
        SEPARATORS.put(this, cached);
      }
    }
    return cached.clone();
  }

  private byte[] computeSeparator() {
    return keccak256(
        Eip712.concat(
            TYPE_HASH,
            keccak256(name.getBytes(StandardCharsets.UTF_8)),
            keccak256(version.getBytes(StandardCharsets.UTF_8)),
            Eip712.uint(BigInteger.valueOf(chainId)),
            Eip712.address(verifyingContract)));
  }

  /** The digest to sign for a struct hash: keccak256(0x1901 ‖ separator ‖ structHash). */
  public byte[] digest(byte[] structHash) {
    return keccak256(Eip712.concat(new byte[] {0x19, 0x01}, separator(), structHash));
  }
}
