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
 * @param timings milliseconds by phase (queue, fetch, run, total), for operators
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
