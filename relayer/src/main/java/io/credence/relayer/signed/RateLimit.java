package io.credence.relayer.signed;

/** Per-requester limits of {@code POST /v1/requests}. */
final class RateLimit {
  private RateLimit() {}

  /** A token bucket: {@code rate} a second, at most {@code burst} at once. */
  static final class Bucket {
    private final double rate;
    private final double burst;
    private double tokens;
    private long at = System.nanoTime();

    Bucket(double rate, double burst) {
      this.rate = rate;
      this.burst = burst;
      this.tokens = burst;
    }

    synchronized boolean take() {
      long now = System.nanoTime();
      tokens = Math.min(burst, tokens + (now - at) / 1e9 * rate);
      at = now;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }
}
