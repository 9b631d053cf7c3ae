package io.credence.protocol.receipt;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The proofs of a settled receipt as the hub takes and emits them ({@code Receipt.proofs}, {@code
 * InferenceSettled.proofs}): per signer 73 bytes, its 65-byte signature ({@code r ‖ s ‖ v}) of the
 * {@code InferenceReceipt} carrying its own executedAt, then that executedAt as a big-endian
 * uint64; concatenated in the hub's order (ascending signer address).
 */
public final class ReceiptProofs {
  /** Bytes of one proof: the hub's {@code PROOF_BYTES}. */
  public static final int PROOF_BYTES = 73;

  /** Bytes of the signature at the start of a proof. */
  public static final int SIGNATURE_BYTES = 65;

  private ReceiptProofs() {}

  /** One signer's proof: its signature and the executedAt it signed. */
  public record Proof(byte[] signature, long executedAt) {
    public Proof {
      if (signature.length != SIGNATURE_BYTES) {
        throw new IllegalArgumentException(
            "a signature is " + SIGNATURE_BYTES + " bytes, got " + signature.length);
      }
      if (executedAt < 0) {
        throw new IllegalArgumentException(
            "executedAt is unix seconds, at least 0, got " + executedAt);
      }
    }
  }

  /** One proof's 73 bytes. */
  public static byte[] encode(long executedAt, byte[] signature) {
    Proof p = new Proof(signature, executedAt);
    return ByteBuffer.allocate(PROOF_BYTES).put(p.signature()).putLong(p.executedAt()).array();
  }

  /** Proofs concatenated in the order given (the caller orders them by signer). */
  public static byte[] encode(List<Proof> proofs) {
    ByteBuffer out = ByteBuffer.allocate(proofs.size() * PROOF_BYTES);
    for (Proof p : proofs) {
      out.put(p.signature()).putLong(p.executedAt());
    }
    return out.array();
  }

  /** How many proofs {@code proofs} holds; its length must be a multiple of 73. */
  public static int count(byte[] proofs) {
    if (proofs.length % PROOF_BYTES != 0) {
      throw new IllegalArgumentException(
          "proofs are "
              + PROOF_BYTES
              + " bytes each (signature and executedAt), got "
              + proofs.length
              + " bytes, not a multiple");
    }
    return proofs.length / PROOF_BYTES;
  }

  /** The k-th proof's signature. */
  public static byte[] signature(byte[] proofs, int k) {
    return Arrays.copyOfRange(proofs, k * PROOF_BYTES, k * PROOF_BYTES + SIGNATURE_BYTES);
  }

  /** The k-th proof's executedAt. */
  public static long executedAt(byte[] proofs, int k) {
    long at = ByteBuffer.wrap(proofs, k * PROOF_BYTES + SIGNATURE_BYTES, Long.BYTES).getLong();
    if (at < 0) {
      // a uint64 above Long.MAX_VALUE: no block time the hub accepted is that late
      throw new IllegalArgumentException(
          "proof " + k + " has an executedAt above 2^63 - 1, which no hub accepted");
    }
    return at;
  }

  /** Every proof of {@code proofs}, in order. */
  public static List<Proof> decode(byte[] proofs) {
    int n = count(proofs);
    List<Proof> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      out.add(new Proof(signature(proofs, k), executedAt(proofs, k)));
    }
    return out;
  }
}
