package io.credence.protocol.dispute;

import static io.credence.protocol.Hashes.keccak256;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.Feedback;
import io.credence.contracts.InferenceHub;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.web3j.abi.TypeEncoder;
import org.web3j.utils.Numeric;

/**
 * The hub's record of a settlement batch, in Java (the contracts' {@code SettlementRecords}): one
 * leaf per settled receipt and one record per batch, stored in the slot of the batch's first
 * settled request (its batch id). A challenge or an audit proves what was settled from it.
 *
 * <pre>
 * commitment = keccak256(abi.encode(request)) with the top bit cleared
 * leaf       = keccak256(abi.encode(requestId, commitment, outputHash, keccak256(abi.encodePacked(signers))))
 * leaves     = keccak256(leaf_0 ‖ … ‖ leaf_n-1)                      (settlement order)
 * record     = keccak256(abi.encode(leaves, settledBlock, settledAt)) with the top bit set
 * </pre>
 */
public final class SettlementRecords {
  private static final BigInteger FLAG = BigInteger.ONE.shiftLeft(255);

  private SettlementRecords() {}

  /** A settled answer as its leaf commits to it: signers ascending, as in the receipt. */
  public record Leaf(
      long requestId, InferenceHub.Request request, byte[] outputHash, List<String> signers) {
    public Leaf {
      signers = sorted(signers);
      outputHash = outputHash.clone();
    }

    public byte[] hash() {
      return leaf(requestId, commitment(request), outputHash, signers);
    }

    /** The court's form of this leaf ({@code DisputeCourt.Leaf}). */
    public DisputeCourt.Leaf toCourt() {
      InferenceHub.Request r = request;
      return new DisputeCourt.Leaf(
          BigInteger.valueOf(requestId),
          new DisputeCourt.Request(
              r.requester,
              r.modelId,
              r.inputHash,
              r.fee,
              r.deadline,
              r.callback,
              r.callbackGas,
              r.gasAllowance,
              r.maxFeePerGas),
          outputHash,
          signers);
    }

    /** The feedback contract's form of this leaf ({@code Feedback.Leaf}). */
    public Feedback.Leaf toFeedback() {
      InferenceHub.Request r = request;
      return new Feedback.Leaf(
          BigInteger.valueOf(requestId),
          new Feedback.Request(
              r.requester,
              r.modelId,
              r.inputHash,
              r.fee,
              r.deadline,
              r.callback,
              r.callbackGas,
              r.gasAllowance,
              r.maxFeePerGas),
          outputHash,
          signers);
    }
  }

  /** A request's commitment: the hash the hub stores while it is pending. */
  public static byte[] commitment(InferenceHub.Request r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(word(TypeEncoder.encode(new org.web3j.abi.datatypes.Address(r.requester))));
    out.writeBytes(Numeric.toBytesPadded(r.modelId, 32));
    out.writeBytes(r.inputHash);
    out.writeBytes(Numeric.toBytesPadded(r.fee, 32));
    out.writeBytes(Numeric.toBytesPadded(r.deadline, 32));
    out.writeBytes(word(TypeEncoder.encode(new org.web3j.abi.datatypes.Address(r.callback))));
    out.writeBytes(Numeric.toBytesPadded(r.callbackGas, 32));
    out.writeBytes(Numeric.toBytesPadded(r.gasAllowance, 32));
    out.writeBytes(Numeric.toBytesPadded(r.maxFeePerGas, 32));
    return withFlag(keccak256(out.toByteArray()), false);
  }

  public static byte[] leaf(
      long requestId, byte[] commitment, byte[] outputHash, List<String> ascendingSigners) {
    ByteArrayOutputStream signers = new ByteArrayOutputStream();
    for (String s : ascendingSigners) {
      signers.writeBytes(Numeric.toBytesPadded(Numeric.toBigInt(s), 32));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(Numeric.toBytesPadded(BigInteger.valueOf(requestId), 32));
    out.writeBytes(commitment);
    out.writeBytes(outputHash);
    out.writeBytes(keccak256(signers.toByteArray()));
    return keccak256(out.toByteArray());
  }

  public static byte[] leavesHash(List<byte[]> leaves) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    leaves.forEach(out::writeBytes);
    return keccak256(out.toByteArray());
  }

  public static byte[] record(byte[] leavesHash, long settledBlock, long settledAt) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(leavesHash);
    out.writeBytes(Numeric.toBytesPadded(BigInteger.valueOf(settledBlock), 32));
    out.writeBytes(Numeric.toBytesPadded(BigInteger.valueOf(settledAt), 32));
    return withFlag(keccak256(out.toByteArray()), true);
  }

  /**
   * The record of a batch of {@code leaves} settled in {@code settledBlock} at {@code settledAt}.
   */
  public static byte[] record(List<Leaf> leaves, long settledBlock, long settledAt) {
    return record(leavesHash(hashes(leaves)), settledBlock, settledAt);
  }

  public static List<byte[]> hashes(List<Leaf> leaves) {
    List<byte[]> out = new ArrayList<>(leaves.size());
    leaves.forEach(l -> out.add(l.hash()));
    return out;
  }

  /** The court's proof of a batch ({@code DisputeCourt.Batch}): its id, block, time and leaves. */
  public static DisputeCourt.Batch batch(
      long batchId, long settledBlock, long settledAt, List<Leaf> leaves) {
    return new DisputeCourt.Batch(
        BigInteger.valueOf(batchId),
        BigInteger.valueOf(settledBlock),
        BigInteger.valueOf(settledAt),
        hashes(leaves));
  }

  /** The same proof in the feedback contract's form ({@code Feedback.Batch}). */
  public static Feedback.Batch feedbackBatch(
      long batchId, long settledBlock, long settledAt, List<Leaf> leaves) {
    return new Feedback.Batch(
        BigInteger.valueOf(batchId),
        BigInteger.valueOf(settledBlock),
        BigInteger.valueOf(settledAt),
        hashes(leaves));
  }

  /** Signers in the order receipts carry them: ascending by address. */
  public static List<String> sorted(List<String> signers) {
    List<String> out = new ArrayList<>(signers.size());
    signers.forEach(s -> out.add(s.toLowerCase(java.util.Locale.ROOT)));
    out.sort(Comparator.comparing(Numeric::toBigInt));
    return List.copyOf(out);
  }

  private static byte[] word(String hex) {
    return Numeric.hexStringToByteArray(hex);
  }

  private static byte[] withFlag(byte[] hash, boolean set) {
    BigInteger v = new BigInteger(1, hash);
    v = set ? v.or(FLAG) : v.andNot(FLAG);
    return Numeric.toBytesPadded(v, 32);
  }
}
