package io.credence.worker.lying;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.protocol.dispute.Tolerance;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The lying switch: what a lie does to an output, and that the decision is fixed per request. */
class LiarTest {
  private static final String SIGNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  private static final String OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
  private static final Tolerance DEMO = new Tolerance(Tolerance.CLOSE, 8, 1_000);

  private static byte[] probabilities() {
    return TensorCodec.encode(
        List.of(
            Tensor.ofFloat32("probabilities", new long[] {1, 3}, 0.004f, 0.005f, 0.991f),
            Tensor.ofInt64("label", new long[] {1}, 2)));
  }

  @Test
  void offByDefaultAndNeverLies() {
    Liar honest = Liar.honest(SIGNER);
    assertThat(honest.enabled()).isFalse();
    byte[] out = probabilities();
    assertThat(LongStream.range(0, 1_000).anyMatch(honest::liesAbout)).isFalse();
    assertThat(honest.apply(7, out)).isSameAs(out);
  }

  @Test
  void aLieMovesEveryFloatFarOutsideToleranceAndLeavesOtherTensors() {
    List<Tensor> lie = Liar.perturb(TensorCodec.decode(probabilities()), false);
    assertThat(lie.get(0).toFloatArray())
        .containsExactly(0.004f + 0.25f, 0.005f + 0.25f, 0.991f + 0.25f);
    assertThat(lie.get(1).toLongArray()).containsExactly(2);
    assertThat(DEMO.agrees(probabilities(), TensorCodec.encode(lie))).isFalse();

    Tensor large =
        Tensor.ofFloat64("x", new long[] {4}, 1e6, -3.0, Double.NaN, Double.POSITIVE_INFINITY);
    assertThat(Liar.perturb(List.of(large), false).get(0).toDoubleArray())
        .containsExactly(1.25e6, -3.75, 0.25, 0.25);
  }

  @Test
  void aLieWithinToleranceMovesEachFloatByOneUlpWhichTheDemoToleranceAccepts() {
    List<Tensor> lie = Liar.perturb(TensorCodec.decode(probabilities()), true);
    assertThat(lie.get(0).toFloatArray())
        .containsExactly(Math.nextUp(0.004f), Math.nextUp(0.005f), Math.nextUp(0.991f));
    byte[] encoded = TensorCodec.encode(lie);
    assertThat(encoded).isNotEqualTo(probabilities());
    assertThat(DEMO.agrees(probabilities(), encoded)).isTrue();
    assertThat(Tolerance.exact().agrees(probabilities(), encoded)).isFalse();
  }

  @Test
  void withoutFloatsALieFlipsTheLowestBitOfTheFirstIntegerElement() {
    List<Tensor> ints =
        List.of(
            Tensor.ofInt32("a", new long[] {0}),
            Tensor.ofInt64("b", new long[] {2}, 6, 9),
            Tensor.ofInt32("c", new long[] {1}, 4));
    List<Tensor> lie = Liar.perturb(ints, false);
    assertThat(lie.get(1).toLongArray()).containsExactly(7, 9);
    assertThat(lie.get(2)).isEqualTo(ints.get(2));
    assertThat(Liar.perturb(ints, true)).isEqualTo(ints);
  }

  @Test
  void theDecisionIsFixedPerRequestAndKeyAndFollowsTheRate() {
    Liar half = new Liar(0.5, false, SIGNER, () -> {});
    Liar again = new Liar(0.5, false, SIGNER, () -> {});
    Liar other = new Liar(0.5, false, OTHER, () -> {});
    long lied = LongStream.range(0, 2_000).filter(half::liesAbout).count();
    assertThat(lied).isBetween(850L, 1_150L);
    assertThat(LongStream.range(0, 2_000).allMatch(r -> half.liesAbout(r) == again.liesAbout(r)))
        .isTrue();
    assertThat(LongStream.range(0, 2_000).anyMatch(r -> half.liesAbout(r) != other.liesAbout(r)))
        .as("another key lies about other requests")
        .isTrue();
    Liar always = new Liar(1, false, SIGNER, () -> {});
    assertThat(LongStream.range(0, 1_000).allMatch(always::liesAbout)).isTrue();
  }

  @Test
  void aLieIsTheSameEveryTimeAndIsCounted() {
    int[] lies = {0};
    Liar always = new Liar(1, false, SIGNER, () -> lies[0]++);
    byte[] first = always.apply(42, probabilities());
    assertThat(always.apply(42, probabilities())).isEqualTo(first).isNotEqualTo(probabilities());
    assertThat(lies[0]).isEqualTo(2);
  }

  @Test
  void aRateOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> new Liar(1.5, false, SIGNER, () -> {}))
        .hasMessageContaining("credence.worker.lie.rate");
    assertThatThrownBy(() -> new Liar(Double.NaN, false, SIGNER, () -> {}))
        .hasMessageContaining("0..1");
  }
}
