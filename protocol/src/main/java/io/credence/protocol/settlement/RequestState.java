package io.credence.protocol.settlement;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where a request stands on chain. A request ends exactly once: {@code InferenceSettled} settles
 * it, {@code InferenceFailed} refunds it, {@code InferenceExpired} refunds it after its deadline;
 * until then it is pending. The names are what the indexer's API and the CLI show.
 */
public enum RequestState {
  /** Requested, not settled, failed or expired yet. */
  PENDING,
  /** A quorum's receipt settled it: its fee was split. */
  SETTLED,
  /** A quorum signed a failure: its fee was refunded. */
  FAILED,
  /** Expired after its deadline: its fee was refunded. */
  EXPIRED;

  /** Whether the request has ended (its fee split or refunded). */
  public boolean ended() {
    return this != PENDING;
  }

  /** The state named {@code name}, in any case; a clear error naming the states otherwise. */
  public static RequestState parse(String name) {
    for (RequestState s : values()) {
      if (s.name().equals(name.toUpperCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "a request state is one of " + Arrays.toString(values()) + ", got '" + name + "'");
  }
}
