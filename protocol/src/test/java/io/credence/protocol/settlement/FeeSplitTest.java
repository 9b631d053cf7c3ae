package io.credence.protocol.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class FeeSplitTest {
  private static final BigInteger MAX_UINT =
      BigInteger.TWO.pow(200); // far above any fee, still no overflow in the hub

  @Property
  void thePartsAlwaysSumToTheFee(
      @ForAll @BigRange(min = "0", max = "1000000000000000000000000000") BigInteger fee,
      @ForAll @IntRange(min = 0, max = 2_000) int protocolBps,
      @ForAll @IntRange(min = 0, max = 10_000) int workerBps,
      @ForAll @IntRange(min = 1, max = 255) int quorum) {
    Assume.that(protocolBps + workerBps <= FeeSplit.BPS);
    FeeSplit.Parts p = new FeeSplit(protocolBps, workerBps).divide(fee, quorum);
    assertThat(p.protocol().add(p.workers(quorum)).add(p.pool())).isEqualTo(fee);
    assertThat(p.pool().signum()).isGreaterThanOrEqualTo(0);
  }

  @Property
  void eachPartIsTheHubsFloorAndThePoolTakesTheRemainders(
      @ForAll @BigRange(min = "0", max = "1000000000000000000000000000") BigInteger fee,
      @ForAll @IntRange(min = 0, max = 2_000) int protocolBps,
      @ForAll @IntRange(min = 0, max = 8_000) int workerBps,
      @ForAll @IntRange(min = 1, max = 255) int quorum) {
    FeeSplit.Parts p = new FeeSplit(protocolBps, workerBps).divide(fee, quorum);
    BigInteger bps = BigInteger.valueOf(10_000);
    // floor(fee * protocolBps / BPS): what is left over is below one basis point of the fee
    assertThat(p.protocol().multiply(bps))
        .isLessThanOrEqualTo(fee.multiply(BigInteger.valueOf(protocolBps)));
    assertThat(p.protocol().add(BigInteger.ONE).multiply(bps))
        .isGreaterThan(fee.multiply(BigInteger.valueOf(protocolBps)));
    // the pool gets at least its own basis points: every rounding remainder goes to it, never away
    // from it
    BigInteger poolBps = BigInteger.valueOf(10_000 - protocolBps - workerBps);
    assertThat(p.pool().multiply(bps)).isGreaterThanOrEqualTo(fee.multiply(poolBps));
  }

  @Test
  void aSplitToTheWei() {
    // fee 1 000 000 000 000 000 007 wei at 5 % / 20 %, quorum 3: the workers' 20 % is
    // 200 000 000 000 000 001 (the floor), a third of it 66 666 666 666 666 667 each (the floor);
    // the pool keeps both remainders. At 3 bps of 29 999 wei: 8 wei for the workers, 2 each.
    FeeSplit.Parts p = new FeeSplit(500, 2_000).divide(new BigInteger("1000000000000000007"), 3);
    assertThat(p.protocol()).isEqualTo(new BigInteger("50000000000000000"));
    assertThat(p.workerEach()).isEqualTo(new BigInteger("66666666666666667"));
    assertThat(p.pool())
        .isEqualTo(
            new BigInteger("1000000000000000007")
                .subtract(new BigInteger("50000000000000000"))
                .subtract(new BigInteger("200000000000000001")));
    FeeSplit.Parts small = new FeeSplit(0, 3).divide(BigInteger.valueOf(29_999), 3);
    assertThat(small.workerEach()).isEqualTo(BigInteger.TWO);
    assertThat(small.pool()).isEqualTo(BigInteger.valueOf(29_993));
  }

  @Test
  void aSmallFeesRemaindersGoToThePoolEvenWithNoPoolShare() {
    // 20 % + 80 %: no basis point is the pool's, yet 4 wei leave 2 to it
    FeeSplit.Parts p = new FeeSplit(2_000, 8_000).divide(BigInteger.valueOf(4), 2);
    assertThat(p.protocol()).isZero(); // 4 * 2000 / 10000 = 0
    assertThat(p.workerEach()).isEqualTo(BigInteger.ONE); // 4 * 8000 / 10000 = 3, / 2 = 1
    assertThat(p.pool()).isEqualTo(BigInteger.TWO);
  }

  @Test
  void aSplitTheHubWouldRefuseIsRefusedWithTheValues() {
    assertThatThrownBy(() -> new FeeSplit(2_001, 0)).hasMessageContaining("2001");
    assertThatThrownBy(() -> new FeeSplit(2_000, 8_001)).hasMessageContaining("8001");
    assertThatThrownBy(() -> new FeeSplit(500, 2_000).divide(BigInteger.ONE, 0))
        .hasMessageContaining("quorum");
    assertThatThrownBy(() -> new FeeSplit(500, 2_000).divide(BigInteger.ONE.negate(), 1))
        .hasMessageContaining("-1");
    assertThat(new FeeSplit(500, 2_000).divide(MAX_UINT, 255).pool().signum()).isPositive();
  }
}
