package io.credence.protocol.settlement;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.receipt.ReceiptProofs;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.web3j.utils.Numeric;

/**
 * Builds what {@code InferenceHub.submitReceipts} and {@code submitFailures} take: the committed
 * request fields (from the {@code InferenceRequested} event) and the quorum's signatures,
 * concatenated in ascending order of signer address as the hub requires (with, for receipts, each
 * signer's own executedAt in the same order).
 */
public final class HubReceipts {
  private HubReceipts() {}

  /** The request exactly as committed, rebuilt from its event. */
  public static InferenceHub.Request request(InferenceHub.InferenceRequestedEventResponse e) {
    return new InferenceHub.Request(
        e.requester,
        e.modelId,
        e.inputHash,
        e.fee,
        e.deadline,
        e.callback,
        e.callbackGas,
        e.gasAllowance,
        e.maxFeePerGas);
  }

  /**
   * Concatenates signatures ({@value ReceiptProofs#SIGNATURE_BYTES} bytes each) ordered by their
   * signer's address.
   */
  public static byte[] orderedSignatures(Map<String, byte[]> signatureBySigner) {
    TreeMap<BigInteger, byte[]> sorted = new TreeMap<>();
    signatureBySigner.forEach((signer, sig) -> {
      if (sig.length != ReceiptProofs.SIGNATURE_BYTES) {
        throw new IllegalArgumentException(
            "signature of "
                + signer
                + " is "
                + sig.length
                + " bytes, not "
                + ReceiptProofs.SIGNATURE_BYTES);
      }
      if (sorted.put(Numeric.toBigInt(signer), sig) != null) {
        throw new IllegalArgumentException("two signatures from " + signer);
      }
    });
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sorted.values().forEach(out::writeBytes);
    return out.toByteArray();
  }

  /**
   * One worker's signed receipt: its address, the time it ran the job, and its signature of the
   * {@code InferenceReceipt} with that time.
   */
  public record Signed(String signer, long executedAt, byte[] signature) {}

  /** A receipt with the quorum's proofs, each with its signer's own executedAt. */
  public static InferenceHub.Receipt receipt(
      BigInteger requestId, InferenceHub.Request request, byte[] output, List<Signed> signed) {
    TreeMap<BigInteger, Signed> sorted = new TreeMap<>();
    for (Signed s : signed) {
      if (sorted.put(Numeric.toBigInt(s.signer()), s) != null) {
        throw new IllegalArgumentException("two signatures from " + s.signer());
      }
    }
    ByteArrayOutputStream proofs = new ByteArrayOutputStream();
    for (Signed s : sorted.values()) {
      proofs.writeBytes(proof(s.executedAt(), s.signature()));
    }
    return new InferenceHub.Receipt(requestId, request, output, proofs.toByteArray());
  }

  /** One signer's proof as the hub reads it (see {@link ReceiptProofs}). */
  public static byte[] proof(long executedAt, byte[] signature) {
    return ReceiptProofs.encode(executedAt, signature);
  }

  public static InferenceHub.Failure failure(
      BigInteger requestId,
      InferenceHub.Request request,
      int reason,
      byte[] detailHash,
      Map<String, byte[]> signatureBySigner) {
    return new InferenceHub.Failure(
        requestId,
        request,
        BigInteger.valueOf(reason),
        detailHash,
        orderedSignatures(signatureBySigner));
  }
}
