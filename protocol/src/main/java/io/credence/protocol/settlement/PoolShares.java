package io.credence.protocol.settlement;

import java.math.BigInteger;
import java.util.List;

/**
 * The vault's division of a model's pool among its contributors, the Java twin of {@code
 * RewardVault._shares}: contributor j ≥ 1 gets floor(pool · shareBps_j / 10 000); contributor 0
 * (the first registered) gets the rest, every rounding remainder included, so the shares always sum
 * to the pool exactly.
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
