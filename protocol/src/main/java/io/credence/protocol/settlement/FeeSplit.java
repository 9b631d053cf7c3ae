package io.credence.protocol.settlement;

import java.math.BigInteger;

/**
 * The hub's division of a settled request's fee, the Java twin of {@code
 * InferenceHub._creditSplit}: the protocol gets floor(fee · protocolBps / 10 000); each of the
 * quorum's workers floor(fee · workerBps / 10 000 / quorum); the model's pool the rest, so every
 * rounding remainder goes to the contributors and the three parts always sum to the fee.
 *
 * <p>The split in force is the last {@code SplitChanged(protocolBps, workerBps)}; the hub refuses
 * one with protocolBps above {@link #MAX_PROTOCOL_BPS} or a sum above {@link #BPS}, and so does
 * this constructor (an index or a test holding such a split has read something the hub never
 * emitted).
 */
public record FeeSplit(int protocolBps, int workerBps) {
  /** Basis points in a whole: the contracts' {@code BPS}. */
  public static final int BPS = 10_000;

  /** The hub's {@code MAX_PROTOCOL_BPS}. */
  public static final int MAX_PROTOCOL_BPS = 2_000;

  private static final BigInteger WHOLE = BigInteger.valueOf(BPS);

  public FeeSplit {
    if (protocolBps < 0
        || workerBps < 0
        || protocolBps > MAX_PROTOCOL_BPS
        || protocolBps + workerBps > BPS) {
      throw new IllegalArgumentException(
          "a split is protocolBps 0.."
              + MAX_PROTOCOL_BPS
              + " and workerBps with a sum of at most "
              + BPS
              + " (the hub's InvalidSplit), got "
              + protocolBps
              + " and "
              + workerBps);
    }
  }

  /**
   * One fee's parts.
   *
   * @param protocol credited to the protocol (collected to the treasury)
   * @param workerEach credited to each of the quorum's signers (to its operator)
   * @param pool credited to the model's pool, divided among its contributors by {@link PoolShares}
   */
  public record Parts(BigInteger protocol, BigInteger workerEach, BigInteger pool) {
    /** What all the workers of a quorum of {@code quorum} get together. */
    public BigInteger workers(int quorum) {
      return workerEach.multiply(BigInteger.valueOf(quorum));
    }
  }

  /** Divides {@code fee} (wei, ≥ 0) for a model whose quorum is {@code quorum} (1..255). */
  public Parts divide(BigInteger fee, int quorum) {
    if (fee.signum() < 0) {
      throw new IllegalArgumentException("a fee is at least 0 wei, got " + fee);
    }
    if (quorum < 1 || quorum > 255) {
      throw new IllegalArgumentException(
          "a model's quorum is 1..255 (uint8, never 0 for a known model), got " + quorum);
    }
    BigInteger q = BigInteger.valueOf(quorum);
    BigInteger protocol = fee.multiply(BigInteger.valueOf(protocolBps)).divide(WHOLE);
    // as the hub writes it: by BPS, then by the quorum (the same floor as dividing by both at once)
    BigInteger workerEach = fee.multiply(BigInteger.valueOf(workerBps)).divide(WHOLE).divide(q);
    BigInteger pool = fee.subtract(protocol).subtract(workerEach.multiply(q));
    return new Parts(protocol, workerEach, pool);
  }
}
