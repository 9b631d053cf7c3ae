package io.credence.worker.exec;

import io.credence.protocol.receipt.FailureReason;

/**
 * A job the worker cannot serve, for a reason the requester should be refunded for: it becomes a
 * signed {@code InferenceFailure} with {@link #reason()} and {@link #detail()}.
 */
public class JobFailure extends Exception {
  private final FailureReason reason;

  public JobFailure(FailureReason reason, String detail) {
    super(detail);
    this.reason = reason;
  }

  public JobFailure(FailureReason reason, String detail, Throwable cause) {
    super(detail, cause);
    this.reason = reason;
  }

  public FailureReason reason() {
    return reason;
  }

  /** What was wrong, for people; its keccak256 is the signed detailHash. */
  public String detail() {
    return getMessage();
  }
}
