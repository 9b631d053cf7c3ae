package io.credence.relayer.store;

import java.util.List;

/**
 * What the relayer knows about one request.
 *
 * @param requestId the hub's request id
 * @param state SEEN, DISPATCHED, RESULT, SUBMITTED, SETTLED, REFUNDED, EXPIRING, EXPIRED or
 *     REJECTED
 * @param orphaned the block that carried the request was reorged away and it was not seen again
 * @param modelId the model asked for
 * @param requester who escrowed the fee
 * @param fee the escrowed fee in wei, as a decimal string
 * @param gasAllowance what pays back the gas of serving it, in wei
 * @param maxFeePerGas the most per gas its allowance pays back, in wei
 * @param waiting why its settlement waits (its allowance would not pay back its gas at today's
 *     fees), while it does
 * @param deadline unix time after which the request can be expired
 * @param requestTx the transaction that made the request
 * @param attempts every dispatch to the workers
 * @param results every verified worker result
 * @param rejected results that failed verification and were never submitted
 * @param transactions every transaction that carried the request
 * @param receipt the outcome the quorum signed, once there is one
 * @param closedInTx the transaction that settled, refunded or expired it, once seen on-chain
 * @param error the last problem with it, if any
 */
public record RequestView(
    long requestId,
    String state,
    boolean orphaned,
    long modelId,
    String requester,
    String fee,
    String gasAllowance,
    String maxFeePerGas,
    String waiting,
    long deadline,
    String requestTx,
    List<Attempt> attempts,
    List<Result> results,
    List<Rejected> rejected,
    List<Tx> transactions,
    Receipt receipt,
    String closedInTx,
    String error) {

  public record Attempt(int attempt, String partitions, String dispatchedAt) {}

  public record Result(
      String worker,
      String status,
      String outputHash,
      Long executedAt,
      Integer reason,
      String receivedAt) {}

  public record Rejected(String worker, String why, String receivedAt) {}

  public record Tx(
      String kind,
      String hash,
      long nonce,
      String state,
      int replacements,
      Long block,
      Long gasUsed,
      int receipts,
      String spent,
      String credited) {}

  /**
   * @param outcome OK (settled with the output) or FAILED (refunded)
   * @param outputHash keccak256 of the output (OK)
   * @param output the output's canonical encoding, 0x-hex (OK)
   * @param reason the failure reason code (FAILED)
   */
  public record Receipt(String outcome, String outputHash, String output, Integer reason) {}
}
