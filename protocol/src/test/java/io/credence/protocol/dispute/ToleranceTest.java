package io.credence.protocol.dispute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.protocol.tensor.DType;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import org.junit.jupiter.api.Test;

class ToleranceTest {
  private static final long[] ROW = {1, 3};
  private static final Tensor LABEL = Tensor.ofInt64("label", new long[] {1}, 1L);

  private static byte[] probabilities(float a, float b, float c) {
    return TensorCodec.encode(LABEL, Tensor.ofFloat32("probabilities", ROW, a, b, c));
  }

  @Test
  void exactAgreesOnlyWithTheSameBytes() {
    Tolerance exact = Tolerance.exact();
    assertThat(exact.agrees(probabilities(0.1f, 0.7f, 0.2f), probabilities(0.1f, 0.7f, 0.2f)))
        .isTrue();
    assertThat(
            exact.agrees(
                probabilities(0.1f, 0.7f, 0.2f), probabilities(Math.nextUp(0.1f), 0.7f, 0.2f)))
        .isFalse();
  }

  @Test
  void closeAgreesWithinUlpsOrTheAbsoluteBound() {
    Tolerance ulps = new Tolerance(Tolerance.CLOSE, 2, 0);
    float p = 0.7f;
    assertThat(ulps.agrees(probabilities(0.1f, p, 0.2f), probabilities(0.1f, up(p, 2), 0.2f)))
        .as("two ulps")
        .isTrue();
    assertThat(ulps.agrees(probabilities(0.1f, p, 0.2f), probabilities(0.1f, up(p, 3), 0.2f)))
        .as("three ulps")
        .isFalse();
    Tolerance abs = new Tolerance(Tolerance.CLOSE, 0, 1_000); // 1e-6
    assertThat(abs.agrees(probabilities(0.1f, p, 0.2f), probabilities(0.1f, p + 5e-7f, 0.2f)))
        .isTrue();
    assertThat(abs.agrees(probabilities(0.1f, p, 0.2f), probabilities(0.1f, p + 5e-5f, 0.2f)))
        .isFalse();
    assertThat(abs.agrees(probabilities(0.0f, p, 0.2f), probabilities(-0.0f, p, 0.2f)))
        .as("zero and minus zero")
        .isTrue();
  }

  @Test
  void argmaxComparesTheWinnerOfEachRow() {
    Tolerance argmax = new Tolerance(Tolerance.ARGMAX, 0, 0);
    assertThat(argmax.agrees(probabilities(0.1f, 0.7f, 0.2f), probabilities(0.3f, 0.4f, 0.3f)))
        .isTrue();
    assertThat(argmax.agrees(probabilities(0.1f, 0.7f, 0.2f), probabilities(0.5f, 0.4f, 0.1f)))
        .isFalse();
    byte[] twoRows =
        TensorCodec.encode(Tensor.ofFloat32("p", new long[] {2, 2}, 0.9f, 0.1f, 0.2f, 0.8f));
    byte[] secondRowFlipped =
        TensorCodec.encode(Tensor.ofFloat32("p", new long[] {2, 2}, 0.9f, 0.1f, 0.8f, 0.2f));
    assertThat(argmax.agrees(twoRows, secondRowFlipped)).isFalse();
  }

  @Test
  void otherTensorsAndTheShapeMustMatchExactly() {
    Tolerance close = new Tolerance(Tolerance.CLOSE, 1_000, 1_000_000);
    byte[] settled = probabilities(0.1f, 0.7f, 0.2f);
    byte[] otherLabel =
        TensorCodec.encode(
            Tensor.ofInt64("label", new long[] {1}, 2L),
            Tensor.ofFloat32("probabilities", ROW, 0.1f, 0.7f, 0.2f));
    assertThat(close.agrees(settled, otherLabel)).as("a different label").isFalse();
    byte[] otherShape =
        TensorCodec.encode(
            LABEL, Tensor.ofFloat32("probabilities", new long[] {3, 1}, 0.1f, 0.7f, 0.2f));
    assertThat(close.agrees(settled, otherShape)).as("a different shape").isFalse();
    assertThat(close.agrees(settled, "not tensors".getBytes())).isFalse();
    assertThat(close.agrees("not tensors".getBytes(), "not tensors".getBytes())).isTrue();
  }

  @Test
  void nanAgreesOnlyWithNan() {
    Tolerance close = new Tolerance(Tolerance.CLOSE, 1_000, 1_000_000);
    assertThat(
            close.agrees(
                probabilities(Float.NaN, 0.7f, 0.2f), probabilities(Float.NaN, 0.7f, 0.2f)))
        .isTrue();
    assertThat(close.agrees(probabilities(Float.NaN, 0.7f, 0.2f), probabilities(0f, 0.7f, 0.2f)))
        .isFalse();
  }

  @Test
  void ulpDistanceCrossesZeroAndHandlesDoubles() {
    assertThat(Tolerance.ulpDistance(Float.MIN_VALUE, -Float.MIN_VALUE, DType.FLOAT32))
        .isEqualTo(2);
    assertThat(Tolerance.ulpDistance(1.0, Math.nextUp(1.0), DType.FLOAT64)).isEqualTo(1);
    assertThat(Tolerance.ulpDistance(-Double.MAX_VALUE, Double.MAX_VALUE, DType.FLOAT64))
        .isPositive();
  }

  @Test
  void refusesUnknownModes() {
    assertThatThrownBy(() -> new Tolerance(4, 0, 0)).hasMessageContaining("mode");
  }

  private static float up(float f, int ulps) {
    for (int i = 0; i < ulps; i++) {
      f = Math.nextUp(f);
    }
    return f;
  }
}
