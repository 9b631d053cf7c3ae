package io.credence.protocol.service;

import java.time.Duration;

/**
 * How long a service loop waits after a failed round: {@code first} after the first failure, twice
 * as long after each further one, never more than {@code max}; a round that goes through starts
 * over. Doubling keeps a loop from hammering a node or a database that is down, while the cap
 * bounds how long it takes to notice that it is back.
 */
public final class Backoff {
  /** 250 ms, doubling up to 10 s: what the relayer and the indexer have always used. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10));

  private final long firstMillis;
  private final long maxMillis;

  public Backoff(Duration first, Duration max) {
    if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException(
          "back-off needs 0 < first <= max, got first " + first + ", max " + max);
    }
    this.firstMillis = first.toMillis();
    this.maxMillis = max.toMillis();
  }

  /** The wait after a failure, given the previous wait (0 after a round that went through). */
  public long nextMillis(long previousMillis) {
    return Math.min(maxMillis, Math.max(firstMillis, previousMillis * 2));
  }
}
