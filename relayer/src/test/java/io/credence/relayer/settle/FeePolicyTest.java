package io.credence.relayer.settle;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.relayer.settle.FeePolicy.Fees;
import io.credence.testkit.ScriptedNode;
import java.math.BigInteger;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeePolicyTest {
  private static final BigInteger GWEI = BigInteger.TEN.pow(9);
  private final FeePolicy policy = new FeePolicy(gwei(200), gwei(1), 20);

  private static BigInteger gwei(long n) {
    return GWEI.multiply(BigInteger.valueOf(n));
  }

  @Test
  void aNewTransactionOffersTwiceTheBaseFeePlusTheTip() {
    assertThat(policy.forBaseFee(gwei(30))).isEqualTo(new Fees(gwei(61), gwei(1)));
  }

  @Test
  void beforeLondonThereIsNoBaseFeeAndTheTipIsTheWholeFee() {
    assertThat(policy.forBaseFee(BigInteger.ZERO)).isEqualTo(new Fees(gwei(1), gwei(1)));
  }

  @Test
  void theMaxFeeNeverExceedsTheCapAndTheTipNeverExceedsTheMaxFee() {
    assertThat(policy.forBaseFee(gwei(150))).isEqualTo(new Fees(gwei(200), gwei(1)));
    FeePolicy tipAboveCap = new FeePolicy(gwei(2), gwei(5), 20);
    assertThat(tipAboveCap.forBaseFee(gwei(10))).isEqualTo(new Fees(gwei(2), gwei(2)));
  }

  @Test
  void aReplacementRaisesBothFeesByTheBumpPlusOneWei() {
    assertThat(policy.bump(new Fees(gwei(100), gwei(1))))
        .contains(new Fees(gwei(120).add(BigInteger.ONE), new BigInteger("1200000001")));
  }

  @Test
  void aReplacementThatWouldPassTheCapStopsAtTheCap() {
    assertThat(policy.bump(new Fees(gwei(190), gwei(1))))
        .contains(new Fees(gwei(200), new BigInteger("1200000001")));
  }

  @Test
  void aTransactionAtTheCapIsNotReplaced() {
    assertThat(policy.bump(new Fees(gwei(200), gwei(1)))).isEmpty();
  }

  @Test
  void currentFeesComeFromTheLatestBlocksBaseFee() throws Exception {
    ScriptedNode node =
        new ScriptedNode()
            .answer(
                "eth_getBlockByNumber",
                Map.of(
                    "number",
                    "0x10",
                    "hash",
                    "0x" + "ab".repeat(32),
                    "baseFeePerGas",
                    "0x" + gwei(7).toString(16),
                    "transactions",
                    java.util.List.of()));
    assertThat(policy.current(node.web3j())).isEqualTo(new Fees(gwei(15), gwei(1)));
    assertThat(node.calls()).containsExactly("eth_getBlockByNumber");
  }
}
