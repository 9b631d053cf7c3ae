package io.credence.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.devnet.node.AnvilNode;
import io.credence.testkit.junit.WithAnvil;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gas benchmark runs end to end and reports every figure. Gas is deterministic, so the one
 * structural promise is checked too: settlement gas does not depend on the number of contributors.
 * The targets themselves are reported by the benchmark, not asserted here.
 */
@WithAnvil
class GasBenchIT {
  @Test
  void reportsEveryFigureAndSettlementIgnoresContributorCount(AnvilNode anvil) throws Exception {
    Map<String, Double> figures = GasBench.run(anvil).values();
    assertThat(figures)
        .containsKeys(
            "request.gas",
            "settle.single.gas",
            "settle.batch32.per_receipt.gas",
            "settle.contributors1.gas",
            "settle.contributors20.gas",
            "claim.gas");
    assertThat(figures.get("baseline.transfer.gas")).isEqualTo(21_000.0);
    // equal but for a few gas of calldata (different ids)
    assertThat(figures.get("settle.contributors20.gas"))
        .isCloseTo(
            figures.get("settle.contributors1.gas"),
            org.assertj.core.data.Percentage.withPercentage(0.1));
    assertThat(figures.get("settle.batch32.per_receipt.gas"))
        .isLessThan(figures.get("settle.single.gas"));
  }
}
