package io.credence.protocol.receipt;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import org.web3j.utils.Numeric;

/** ABI words for EIP-712 struct hashing (all Credence types are static). */
final class Eip712 {
  private Eip712() {}

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] uint(BigInteger v) {
    if (v.signum() < 0 || v.bitLength() > 256) {
      throw new IllegalArgumentException("not a uint256: " + v);
    }
    return Numeric.toBytesPadded(v, 32);
  }

  static byte[] uint(long v) {
    return uint(BigInteger.valueOf(v));
  }

  static byte[] address(String address) {
    return Numeric.toBytesPadded(Numeric.toBigInt(address), 32);
  }

  static byte[] bytes32(byte[] b, String what) {
    if (b == null || b.length != 32) {
      throw new IllegalArgumentException(what + " must be 32 bytes");
    }
    return b;
  }
}
