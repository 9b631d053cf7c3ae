package io.credence.protocol.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.BigRange;
import org.junit.jupiter.api.Test;

class PoolSharesTest {

  /** Shares as the registry accepts them: each at least 1 bps, summing to 10 000. */
  @Provide
  Arbitrary<List<PoolShares.Contributor>> contributors() {
    return Arbitraries.integers()
        .between(1, 12)
        .flatMap(n ->
            Arbitraries.integers()
                .between(1, 10_000)
                .set()
                .ofSize(n - 1)
                .filter(cuts -> cuts.stream().allMatch(c -> c < 10_000))
                .map(cuts -> {
                  int[] points = cuts.stream().mapToInt(Integer::intValue).sorted().toArray();
                  List<PoolShares.Contributor> out = new ArrayList<>();
                  int previous = 0;
                  for (int k = 0; k <= points.length; k++) {
                    int next = k < points.length ? points[k] : 10_000;
                    out.add(new PoolShares.Contributor("0x" + k, 1 + k % 3, next - previous));
                    previous = next;
                  }
                  return out;
                }));
  }

  @Property
  void theSharesSumToThePoolExactly(
      @ForAll @BigRange(min = "0", max = "1000000000000000000000000000") BigInteger pool,
      @ForAll("contributors") List<PoolShares.Contributor> list) {
    BigInteger[] shares = PoolShares.divide(pool, list);
    assertThat(Arrays.stream(shares).reduce(BigInteger.ZERO, BigInteger::add)).isEqualTo(pool);
  }

  @Property
  void everyContributorButTheFirstGetsItsFloorAndTheFirstTheRemainders(
      @ForAll @BigRange(min = "0", max = "1000000000000000000000000000") BigInteger pool,
      @ForAll("contributors") List<PoolShares.Contributor> list) {
    BigInteger[] shares = PoolShares.divide(pool, list);
    for (int j = 1; j < list.size(); j++) {
      assertThat(shares[j])
          .isEqualTo(
              pool.multiply(BigInteger.valueOf(list.get(j).shareBps()))
                  .divide(BigInteger.valueOf(10_000)));
    }
    BigInteger own =
        pool.multiply(BigInteger.valueOf(list.get(0).shareBps()))
            .divide(BigInteger.valueOf(10_000));
    // at most one wei lost per other contributor, all of them to contributor 0
    assertThat(shares[0].subtract(own))
        .isBetween(BigInteger.ZERO, BigInteger.valueOf(list.size() - 1L));
  }

  @Test
  void contributorZeroTakesWhatRoundingLeaves() {
    // the indexer's test model: 6000 / 2001 / 1999 of a 7-wei pool: floor(1.4007) and floor(1.3993)
    // to the data
    // providers, the other 5 (4.2 its own, 0.8 of remainders) to the author
    List<PoolShares.Contributor> list =
        List.of(
            new PoolShares.Contributor("0xa", 1, 6_000),
            new PoolShares.Contributor("0xb", 2, 2_001),
            new PoolShares.Contributor("0xc", 2, 1_999));
    assertThat(PoolShares.divide(BigInteger.valueOf(7), list))
        .containsExactly(BigInteger.valueOf(5), BigInteger.ONE, BigInteger.ONE);
    assertThat(PoolShares.divide(BigInteger.valueOf(10_000), list))
        .containsExactly(
            BigInteger.valueOf(6_000), BigInteger.valueOf(2_001), BigInteger.valueOf(1_999));
  }

  @Test
  void aPoolWithoutContributorsIsRefused() {
    assertThatThrownBy(() -> PoolShares.divide(BigInteger.TEN, List.of()))
        .hasMessageContaining("no contributors");
  }

  @Test
  void parentsTakeTheirFloorsFirstAndTheContributorsDivideTheRest() {
    // a 10 001-wei pool, parents at 1 500 and 333 bps: floor(1500.15) = 1 500 and
    // floor(333.03) = 333; the contributors' 8 168 keeps both fractions (0.15 + 0.03)
    PoolShares.Lineage l = PoolShares.lineage(BigInteger.valueOf(10_001), List.of(1_500, 333));
    assertThat(l.parents()).containsExactly(BigInteger.valueOf(1_500), BigInteger.valueOf(333));
    assertThat(l.rest()).isEqualTo(BigInteger.valueOf(8_168));
    // a 7-wei pool: 1 500 bps is 1.05 -> 1, 333 bps is 0.23 -> 0 (no LineagePaid); 6 left
    l = PoolShares.lineage(BigInteger.valueOf(7), List.of(1_500, 333));
    assertThat(l.parents()).containsExactly(BigInteger.ONE, BigInteger.ZERO);
    assertThat(l.rest()).isEqualTo(BigInteger.valueOf(6));
    // and the 6 divided as the vault does (6000 / 2001 / 1999): 3.6, 1.2006, 1.1994 -> 4, 1, 1
    assertThat(
            PoolShares.divide(
                l.rest(),
                List.of(
                    new PoolShares.Contributor("0xa", 1, 6_000),
                    new PoolShares.Contributor("0xb", 2, 2_001),
                    new PoolShares.Contributor("0xc", 2, 1_999))))
        .containsExactly(BigInteger.valueOf(4), BigInteger.ONE, BigInteger.ONE);
  }

  @Test
  void aModelWithoutParentsLeavesTheWholePoolToItsContributors() {
    PoolShares.Lineage l = PoolShares.lineage(BigInteger.valueOf(12_345), List.of());
    assertThat(l.parents()).isEmpty();
    assertThat(l.rest()).isEqualTo(BigInteger.valueOf(12_345));
  }

  @Property
  void theParentsPartsAndTheRestSumToThePool(
      @ForAll @BigRange(min = "0", max = "1000000000000000000000000000") BigInteger pool,
      @ForAll("parentShares") List<Integer> bps) {
    PoolShares.Lineage l = PoolShares.lineage(pool, bps);
    assertThat(l.parents().stream().reduce(l.rest(), BigInteger::add)).isEqualTo(pool);
    for (int p = 0; p < bps.size(); p++) {
      assertThat(l.parents().get(p))
          .isEqualTo(
              pool.multiply(BigInteger.valueOf(bps.get(p))).divide(BigInteger.valueOf(10_000)));
    }
  }

  /** Parents as the registry accepts them: 1 to 8, each at least 1 bps, together at most 5 000. */
  @Provide
  Arbitrary<List<Integer>> parentShares() {
    return Arbitraries.integers()
        .between(1, 8)
        .flatMap(n -> Arbitraries.integers().between(1, 5_000 / n).list().ofSize(n));
  }

  @Test
  void parentsTakingMoreThanThePoolAreRefused() {
    assertThatThrownBy(() -> PoolShares.lineage(BigInteger.TEN, List.of(6_000, 6_000)))
        .hasMessageContaining("take more than the pool of 10 wei");
  }
}
