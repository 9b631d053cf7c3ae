package io.credence.protocol.receipt;

import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Signs EIP-712 digests with a worker key and recovers signers. Signatures are 65 bytes, {@code
 * r ‖ s ‖ v} with v 27 or 28, as the hub reads them. The key stays inside; {@link #toString()}
 * shows only the address.
 *
 * <p>Signing is Bouncy Castle's ECDSA exactly as web3j does it (RFC 6979 nonce with
 * HMAC-SHA256, low s), so the signatures are byte for byte web3j's {@code Sign.signMessage}
 * (tested); the recovery id is read off the nonce point instead of found by trial recoveries,
 * which makes signing about five times faster.
 */
public final class ReceiptSigner {
  /** secp256k1 order / 2: a larger s is the malleable twin of a valid signature (EIP-2). */
  private static final BigInteger HALF_CURVE_ORDER =
      new BigInteger("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", 16);

  private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
  private static final BigInteger N = CURVE.getN();

  private final BigInteger privateKey;
  private final String address;

  public ReceiptSigner(Credentials credentials) {
    this.privateKey = Objects.requireNonNull(credentials, "credentials").getEcKeyPair().getPrivateKey();
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
    HMacDSAKCalculator nonces = new HMacDSAKCalculator(new SHA256Digest());
    nonces.init(N, privateKey, digest);
    BigInteger e = new BigInteger(1, digest);
    while (true) {
      BigInteger k = nonces.nextK();
      ECPoint point = new FixedPointCombMultiplier().multiply(CURVE.getG(), k).normalize();
      BigInteger x = point.getAffineXCoord().toBigInteger();
      BigInteger r = x.mod(N);
      if (r.signum() == 0) {
        continue;
      }
      BigInteger s = BigIntegers.modOddInverse(N, k).multiply(e.add(privateKey.multiply(r))).mod(N);
      if (s.signum() == 0) {
        continue;
      }
      int recoveryId = (point.getAffineYCoord().toBigInteger().testBit(0) ? 1 : 0) | (x.compareTo(N) >= 0 ? 2 : 0);
      if (s.compareTo(HALF_CURVE_ORDER) > 0) {
        s = N.subtract(s); // low s (EIP-2): the point's y flips
        recoveryId ^= 1;
      }
      byte[] out = new byte[65];
      System.arraycopy(Numeric.toBytesPadded(r, 32), 0, out, 0, 32);
      System.arraycopy(Numeric.toBytesPadded(s, 32), 0, out, 32, 32);
      out[64] = (byte) (27 + recoveryId);
      return out;
    }
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
