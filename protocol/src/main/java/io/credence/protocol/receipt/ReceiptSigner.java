package io.credence.protocol.receipt;

import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Objects;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Signs EIP-712 digests with a worker key and recovers signers. Signatures are 65 bytes, {@code
 * r ‖ s ‖ v} with v 27 or 28, as the hub reads them. The key stays inside; {@link #toString()}
 * shows only the address.
 */
public final class ReceiptSigner {
  /** secp256k1 order / 2: a larger s is the malleable twin of a valid signature (EIP-2). */
  private static final BigInteger HALF_CURVE_ORDER =
      new BigInteger("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", 16);

  private final ECKeyPair keyPair;
  private final String address;

  public ReceiptSigner(Credentials credentials) {
    this.keyPair = Objects.requireNonNull(credentials, "credentials").getEcKeyPair();
    this.address = credentials.getAddress();
  }

  /** The signer's address (lower-case, 0x-prefixed). */
  public String address() {
    return address;
  }

  public byte[] sign(byte[] digest) {
    if (digest.length != 32) {
      throw new IllegalArgumentException("a digest is 32 bytes, got " + digest.length);
    }
    Sign.SignatureData s = Sign.signMessage(digest, keyPair, false);
    byte[] out = new byte[65];
    System.arraycopy(s.getR(), 0, out, 0, 32);
    System.arraycopy(s.getS(), 0, out, 32, 32);
    out[64] = s.getV()[0];
    return out;
  }

  public byte[] sign(InferenceReceipt receipt, Eip712Domain domain) {
    return sign(receipt.digest(domain));
  }

  public byte[] sign(InferenceFailure failure, Eip712Domain domain) {
    return sign(failure.digest(domain));
  }

  /**
   * The address that signed {@code digest}, checksummed-free lower case.
   *
   * @throws SignatureException when the signature is malformed
   */
  public static String recover(byte[] digest, byte[] signature) throws SignatureException {
    if (signature.length != 65) {
      throw new SignatureException("a signature is 65 bytes, got " + signature.length);
    }
    byte v = signature[64];
    if (v != 27 && v != 28) {
      throw new SignatureException("v must be 27 or 28, got " + v);
    }
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
    if (s.compareTo(HALF_CURVE_ORDER) > 0) {
      throw new SignatureException("s is in the upper half of the curve order (malleable signature)");
    }
    Sign.SignatureData data =
        new Sign.SignatureData(v, Arrays.copyOfRange(signature, 0, 32), Arrays.copyOfRange(signature, 32, 64));
    BigInteger publicKey = Sign.signedMessageHashToKey(digest, data);
    return Numeric.prependHexPrefix(Keys.getAddress(publicKey));
  }

  @Override
  public String toString() {
    return "ReceiptSigner[" + address + "]";
  }
}
