package io.credence.protocol.receipt;

import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Objects;
import org.web3j.crypto.Credentials;

/**
 * Signs EIP-712 digests with a worker key and recovers signers. Signatures are 65 bytes, {@code r ‖
 * s ‖ v} with v 27 or 28, as the hub reads them. The key stays inside; {@link #toString()} shows
 * only the address.
 *
 * <p>The signatures are byte for byte web3j's {@code Sign.signMessage} (RFC 6979 nonce, low s;
 * tested), computed by {@link Ecdsa}: native libsecp256k1 where it loads.
 */
public final class ReceiptSigner {
  private final BigInteger privateKey;
  private final String address;

  public ReceiptSigner(Credentials credentials) {
    this.privateKey =
        Objects.requireNonNull(credentials, "credentials").getEcKeyPair().getPrivateKey();
    this.address = credentials.getAddress();
  }

  /** The signer's address (lower-case, 0x-prefixed). */
  public String address() {
    return address;
  }

  public byte[] sign(byte[] digest) {
    return Ecdsa.sign(privateKey, digest);
  }

  public byte[] sign(InferenceReceipt receipt, Eip712Domain domain) {
    return sign(receipt.digest(domain));
  }

  public byte[] sign(InferenceFailure failure, Eip712Domain domain) {
    return sign(failure.digest(domain));
  }

  /** Signs a request for someone to submit ({@code requestInferenceFor}) as its requester. */
  public byte[] sign(InferenceRequest request, Eip712Domain domain) {
    return sign(request.digest(domain));
  }

  public byte[] sign(Verdict verdict, Eip712Domain domain) {
    return sign(verdict.digest(domain));
  }

  /**
   * The address that signed {@code digest}, checksummed-free lower case.
   *
   * @throws SignatureException when the signature is malformed
   */
  public static String recover(byte[] digest, byte[] signature) throws SignatureException {
    return Ecdsa.recover(digest, signature);
  }

  @Override
  public String toString() {
    return "ReceiptSigner[" + address + "]";
  }
}
