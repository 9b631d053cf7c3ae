package io.credence.protocol.receipt;

import fr.acinq.secp256k1.Secp256k1;
import java.math.BigInteger;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SignatureException;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ExtendedDigest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * ECDSA over secp256k1 as Ethereum uses it: 65-byte signatures {@code r ‖ s ‖ v} (v 27 or 28, low
 * s) over 32-byte digests, and recovery of the signer's address from one.
 *
 * <p>The curve arithmetic is Bitcoin Core's libsecp256k1 (the library Ethereum clients use for
 * {@code ecrecover}) through ACINQ's JNI binding, which ships the native library for Linux x86-64
 * and arm64. Where it cannot be loaded, Bouncy Castle does the same work, slower; {@link
 * #backend()} says which one is in use. Both give the same bytes (tested): the nonce is RFC 6979's
 * (HMAC-SHA256), as in web3j's {@code Sign.signMessage}, and the recovery id is read off the nonce
 * point, so there is no trial recovery.
 */
public final class Ecdsa {
  /** What does the curve arithmetic. */
  public enum Backend {
    /** libsecp256k1, native. */
    NATIVE,
    /** Bouncy Castle, in Java. */
    BOUNCY_CASTLE
  }

  /** secp256k1 order / 2: a larger s is the malleable twin of a valid signature (EIP-2). */
  static final BigInteger HALF_CURVE_ORDER =
      new BigInteger("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", 16);

  private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
  private static final BigInteger N = CURVE.getN();
  private static final Secp256k1 NATIVE = loadNative();

  private Ecdsa() {}

  private static Secp256k1 loadNative() {
    if ("bouncycastle".equalsIgnoreCase(System.getProperty("credence.secp256k1", ""))) {
      return null;
    }
    try {
      Secp256k1 lib = Secp256k1.get();
      lib.pubkeyCreate(
          BigIntegers.asUnsignedByteArray(32, BigInteger.ONE)); // loads and checks the library
      return lib;
    } catch (LinkageError | RuntimeException e) {
      System.getLogger(Ecdsa.class.getName())
          .log(
              System.Logger.Level.INFO,
              "native libsecp256k1 is not available on "
                  + System.getProperty("os.name")
                  + "/"
                  + System.getProperty("os.arch")
                  + " ("
                  + e
                  + "); signing and recovering with Bouncy Castle, 2 to 4 times slower");
      return null;
    }
  }

  /** The implementation in use: native where it loads, else Bouncy Castle. */
  public static Backend backend() {
    return NATIVE != null ? Backend.NATIVE : Backend.BOUNCY_CASTLE;
  }

  /** Signs {@code digest} (32 bytes) with {@code privateKey}, with the backend in use. */
  public static byte[] sign(BigInteger privateKey, byte[] digest) {
    return sign(privateKey, digest, backend());
  }

  /** Signs with the given backend (to compare them; {@link Backend#NATIVE} needs the library). */
  public static byte[] sign(BigInteger privateKey, byte[] digest, Backend backend) {
    if (digest.length != 32) {
      throw new IllegalArgumentException("a digest is 32 bytes, got " + digest.length);
    }
    HMacDSAKCalculator nonces = new HMacDSAKCalculator(new JdkSha256());
    nonces.init(N, privateKey, digest);
    BigInteger e = new BigInteger(1, digest);
    while (true) {
      BigInteger k = nonces.nextK(); // 0 < k < n
      BigInteger x;
      boolean yOdd;
      if (backend == Backend.NATIVE) {
        byte[] point = lib().pubkeyCreate(BigIntegers.asUnsignedByteArray(32, k)); // 04 ‖ x ‖ y
        x = new BigInteger(1, Arrays.copyOfRange(point, 1, 33));
        yOdd = (point[64] & 1) == 1;
      } else {
        ECPoint point = new FixedPointCombMultiplier().multiply(CURVE.getG(), k).normalize();
        x = point.getAffineXCoord().toBigInteger();
        yOdd = point.getAffineYCoord().toBigInteger().testBit(0);
      }
      BigInteger r = x.mod(N);
      if (r.signum() == 0) {
        continue;
      }
      BigInteger s = BigIntegers.modOddInverse(N, k).multiply(e.add(privateKey.multiply(r))).mod(N);
      if (s.signum() == 0) {
        continue;
      }
      int recoveryId = (yOdd ? 1 : 0) | (x.compareTo(N) >= 0 ? 2 : 0);
      if (s.compareTo(HALF_CURVE_ORDER) > 0) {
        s = N.subtract(s); // low s (EIP-2): the point's y flips
        recoveryId ^= 1;
      }
      byte[] out = new byte[65];
      System.arraycopy(BigIntegers.asUnsignedByteArray(32, r), 0, out, 0, 32);
      System.arraycopy(BigIntegers.asUnsignedByteArray(32, s), 0, out, 32, 32);
      out[64] = (byte) (27 + recoveryId);
      return out;
    }
  }

  /**
   * The address (lower case, 0x-prefixed) whose key signed {@code digest}, with the backend in use.
   *
   * @throws SignatureException when the signature is malformed or recovers no key
   */
  public static String recover(byte[] digest, byte[] signature) throws SignatureException {
    return recover(digest, signature, backend());
  }

  /** Recovers with the given backend. */
  public static String recover(byte[] digest, byte[] signature, Backend backend)
      throws SignatureException {
    if (digest.length != 32) {
      throw new SignatureException("a digest is 32 bytes, got " + digest.length);
    }
    if (signature.length != 65) {
      throw new SignatureException("a signature is 65 bytes, got " + signature.length);
    }
    byte v = signature[64];
    if (v != 27 && v != 28) {
      throw new SignatureException("v must be 27 or 28, got " + v);
    }
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
    if (r.signum() == 0 || r.compareTo(N) >= 0 || s.signum() == 0) {
      throw new SignatureException("r must be in [1, n) and s non-zero");
    }
    if (s.compareTo(HALF_CURVE_ORDER) > 0) {
      throw new SignatureException(
          "s is in the upper half of the curve order (malleable signature)");
    }
    byte[] publicKey; // x ‖ y
    if (backend == Backend.NATIVE) {
      try {
        byte[] point = lib().ecdsaRecover(Arrays.copyOf(signature, 64), digest, v - 27);
        publicKey = Arrays.copyOfRange(point, 1, 65);
      } catch (RuntimeException e) {
        throw new SignatureException("the signature recovers no public key", e);
      }
    } else {
      Sign.SignatureData data =
          new Sign.SignatureData(
              v, Arrays.copyOfRange(signature, 0, 32), Arrays.copyOfRange(signature, 32, 64));
      publicKey = Numeric.toBytesPadded(Sign.signedMessageHashToKey(digest, data), 64);
    }
    byte[] hash = Hash.sha3(publicKey);
    return Numeric.toHexString(hash, 12, 20, true); // lower case
  }

  /**
   * The JDK's SHA-256 (compiled to the CPU's SHA instructions where it has them) for Bouncy
   * Castle's HMAC: the RFC 6979 nonce costs several HMACs per signature.
   */
  private static final class JdkSha256 implements ExtendedDigest {
    private final MessageDigest md;

    JdkSha256() {
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }

    @Override
    public String getAlgorithmName() {
      return "SHA-256";
    }

    @Override
    public int getDigestSize() {
      return 32;
    }

    @Override
    public int getByteLength() {
      return 64;
    }

    @Override
    public void update(byte in) {
      md.update(in);
    }

    @Override
    public void update(byte[] in, int inOff, int len) {
      md.update(in, inOff, len);
    }

    @Override
    public int doFinal(byte[] out, int outOff) {
      try {
        return md.digest(out, outOff, 32);
      } catch (DigestException e) {
        throw new IllegalArgumentException("no room for a SHA-256 digest at " + outOff, e);
      }
    }

    @Override
    public void reset() {
      md.reset();
    }
  }

  private static Secp256k1 lib() {
    if (NATIVE == null) {
      throw new IllegalStateException("native libsecp256k1 is not loaded on this platform");
    }
    return NATIVE;
  }
}
