package io.credence.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.web3j.crypto.Hash;

/** The hashes of the protocol: SHA-256 for artifact files, keccak256 for payloads. */
public final class Hashes {
  private static final HexFormat HEX = HexFormat.of();

  private Hashes() {}

  /** keccak256 of tensor payloads, request commitments and EIP-712 structures. */
  public static byte[] keccak256(byte[] data) {
    return Hash.sha3(data);
  }

  /** SHA-256 of bytes, as {@code sha256sum} computes it for artifact files. */
  public static byte[] sha256(byte[] data) {
    return sha256Digest().digest(data);
  }

  /** SHA-256 of a file's bytes, streamed. */
  public static byte[] sha256(Path file) throws IOException {
    MessageDigest md = sha256Digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return md.digest();
  }

  /** 0x-prefixed lower-case hex. */
  public static String hex(byte[] bytes) {
    return "0x" + HEX.formatHex(bytes);
  }

  /** Bytes from hex, with or without 0x. */
  public static byte[] fromHex(String hex) {
    String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    return HEX.parseHex(h);
  }

  /** A 32-byte value from hex; fails unless it is exactly 32 bytes. */
  public static byte[] bytes32(String hex) {
    byte[] b = fromHex(hex);
    if (b.length != 32) {
      throw new IllegalArgumentException("expected 32 bytes, got " + b.length + ": " + hex);
    }
    return b;
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
