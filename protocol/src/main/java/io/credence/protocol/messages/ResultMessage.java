package io.credence.protocol.messages;

import java.util.Map;

/**
 * A worker's signed answer or failure ({@code credence.results.v1}, key: requestId).
 *
 * @param requestId the hub's request id
 * @param worker the signer's address
 * @param status OK or FAILED
 * @param output canonical tensor encoding of the outputs, base64 (OK only)
 * @param outputHash keccak256 of the output bytes (OK only)
 * @param executedAt unix seconds, as signed (OK only)
 * @param signature 65-byte EIP-712 signature, 0x-hex: of the receipt when OK, of the failure when
 *     FAILED
 * @param reason failure reason code (FAILED only)
 * @param detail human-readable failure detail whose keccak256 is the signed detailHash (FAILED)
 * @param timings for operators, not signed: milliseconds by phase, as the worker measured them:
 *     {@code loadMs} (fetch and load the model; about 0 from the cache), {@code queueMs} (wait for
 *     a batch to fill and for earlier batches), {@code runMs} (run the model, encode the outputs),
 *     {@code totalMs} (from decoding the input to the signature). A failure carries the phases it
 *     reached and {@code totalMs}
 */
public record ResultMessage(
    long requestId,
    String worker,
    Status status,
    String output,
    String outputHash,
    Long executedAt,
    String signature,
    Integer reason,
    String detail,
    Map<String, Long> timings) {

  /** Outcome of a job. */
  public enum Status {
    OK,
    FAILED
  }
}
