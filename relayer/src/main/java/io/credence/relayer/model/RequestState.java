package io.credence.relayer.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a request is in the relayer (column {@code request.state}, stored as the constant's name).
 *
 * <pre>
 * SEEN → DISPATCHED → RESULT → SUBMITTED → SETTLED | REFUNDED
 * any open state → EXPIRING → EXPIRED once the deadline passed
 * RESULT → REJECTED when the hub keeps refusing the receipt (then it expires)
 * </pre>
 *
 * SETTLED, REFUNDED and EXPIRED are written only when the listener reads the hub's event: they are
 * what the chain says.
 */
public enum RequestState {
  /** The listener read {@code InferenceRequested}. */
  SEEN,
  /** The job is on the jobs topic, acknowledged by Kafka. */
  DISPATCHED,
  /** A quorum of workers signed the same outcome: ready to settle. */
  RESULT,
  /** In a settlement transaction (or closed on-chain and waiting for the listener to say how). */
  SUBMITTED,
  /** {@code InferenceSettled} seen. */
  SETTLED,
  /** {@code InferenceFailed} seen: the workers' signed failure refunded the requester. */
  REFUNDED,
  /** Past its deadline: an expiry is due or in a transaction. */
  EXPIRING,
  /** {@code InferenceExpired} seen: the fee went back to the requester. */
  EXPIRED,
  /** The hub refused its receipt too often; it waits for its deadline and is expired. */
  REJECTED;

  /** Closed on-chain: nothing more happens to the request. */
  public static final Set<RequestState> FINAL = EnumSet.of(SETTLED, REFUNDED, EXPIRED);

  /** Still waiting for workers: a result for it may make its quorum. */
  public static final Set<RequestState> AWAITING_RESULTS = EnumSet.of(SEEN, DISPATCHED);

  /** Open and not in a transaction: expired once the deadline passed, retried by an operator. */
  public static final Set<RequestState> UNSENT = EnumSet.of(SEEN, DISPATCHED, RESULT, REJECTED);

  /** Whether the request is closed on-chain. */
  public boolean isFinal() {
    return FINAL.contains(this);
  }

  /** The names of {@code states}, for an SQL {@code = ANY (?)}. */
  public static String[] names(Set<RequestState> states) {
    return states.stream().map(Enum::name).toArray(String[]::new);
  }
}
