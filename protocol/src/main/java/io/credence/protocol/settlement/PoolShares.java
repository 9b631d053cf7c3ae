package io.credence.protocol.settlement;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The vault's division of a model's pool among its contributors, the Java twin of {@code
 * RewardVault._shares}: contributor j ≥ 1 gets floor(pool · shareBps_j / 10 000); contributor 0
 * (the first registered) gets the rest, every rounding remainder included, so the shares always sum
 * to the pool exactly. A derived model's parents are paid first ({@link #lineage}): the
 * contributors divide what the parents leave.
 */
public final class PoolShares {
  private static final BigInteger WHOLE = BigInteger.valueOf(FeeSplit.BPS);

  private PoolShares() {}

  /**
   * A model's contributor as the registry lists it.
   *
   * @param account the address credited (lower-case)
   * @param role the registry's role code: 1 author, 2 data, 3 other
   * @param shareBps its share of the pool in basis points (the model's shares sum to 10 000)
   */
  public record Contributor(String account, int role, int shareBps) {}

  /**
   * A derived model's pool as {@code RewardVault._distribute} splits it before its contributors see
   * it.
   *
   * @param parents each parent's part, in the registry's order: floor(pool · shareBps / 10 000), 0
   *     when that floor is (the vault then emits no LineagePaid for it)
   * @param rest what the contributors divide ({@link #divide}): the pool less the parents' parts,
   *     so the parents' rounding stays with the contributors
   */
  public record Lineage(List<BigInteger> parents, BigInteger rest) {}

  /**
   * {@code pool} split between a model's parents (their shares in basis points, in the registry's
   * order; none for a model without parents) and its contributors.
   */
  public static Lineage lineage(BigInteger pool, List<Integer> parentBps) {
    List<BigInteger> parts = new ArrayList<>(parentBps.size());
    BigInteger rest = pool;
    for (int bps : parentBps) {
      BigInteger part = pool.multiply(BigInteger.valueOf(bps)).divide(WHOLE);
      parts.add(part);
      rest = rest.subtract(part);
    }
    if (rest.signum() < 0) {
      // the registry caps the parents' shares at 5 000 together; this is a caller's mistake
      throw new IllegalArgumentException(
          "parents' shares " + parentBps + " take more than the pool of " + pool + " wei");
    }
    return new Lineage(List.copyOf(parts), rest);
  }

  /** Each contributor's share of {@code pool}, in the registry's order. */
  public static BigInteger[] divide(BigInteger pool, List<Contributor> contributors) {
    if (contributors.isEmpty()) {
      // the registry refuses a model without contributors; the vault would revert here
      throw new IllegalArgumentException(
          "a pool of " + pool + " wei has no contributors to divide it among");
    }
    BigInteger[] out = new BigInteger[contributors.size()];
    BigInteger given = BigInteger.ZERO;
    for (int j = 1; j < out.length; j++) {
      out[j] = pool.multiply(BigInteger.valueOf(contributors.get(j).shareBps())).divide(WHOLE);
      given = given.add(out[j]);
    }
    out[0] = pool.subtract(given);
    return out;
  }
}
