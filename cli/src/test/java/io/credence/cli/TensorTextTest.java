package io.credence.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.protocol.tensor.Tensor;
import io.credence.devnet.Checkout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tensors as request show prints them, labelled from the demo model's own card. */
class TensorTextTest {
  private static ModelCardFile demoCard() throws IOException {
    Path model = Checkout.root().resolve("models/demo/iris-classifier.onnx");
    assertThat(ModelCardFile.besides(model)).hasFileName("iris-classifier.json");
    return ModelCardFile.read(ModelCardFile.besides(model));
  }

  @Test
  void theDemoCardNamesTheInputColumnsAndTheOutputClasses() throws Exception {
    ModelCardFile card = demoCard();
    assertThat(card.columns("features")).containsExactly("petal_length", "petal_width", "sepal_length", "sepal_width");
    assertThat(card.classes("probabilities")).containsExactly("Iris-versicolor", "Iris-virginica", "Iris-setosa");
    assertThat(card.columns("probabilities")).isEmpty();
  }

  @Test
  void columnsKeepTheirOrderAndClassesComeMostLikelyFirst() throws Exception {
    ModelCardFile card = demoCard();
    assertThat(TensorText.lines(Tensor.ofFloat32("features", new long[] {1, 4}, 1.4f, 0.2f, 5.1f, 3.5f), card))
        .containsExactly("features float32 [1, 4]", "petal_length 1.4  petal_width 0.2  sepal_length 5.1  sepal_width 3.5");
    assertThat(TensorText.lines(Tensor.ofFloat32("probabilities", new long[] {2, 3}, 0.006f, 0.003f, 0.991f, 0.7f, 0.2f, 0.1f), card))
        .containsExactly(
            "probabilities float32 [2, 3]",
            "row 0: Iris-setosa 0.991  Iris-versicolor 0.006  Iris-virginica 0.003",
            "row 1: Iris-versicolor 0.7  Iris-virginica 0.2  Iris-setosa 0.1");
  }

  @Test
  void withoutLabelsTheValuesPrintPlainWithFourSignificantDigits() {
    assertThat(TensorText.lines(Tensor.ofFloat32("probabilities", new long[] {1, 3}, 0.99123456f, 1e-7f, Float.NaN), TensorLabels.NONE))
        .containsExactly("probabilities float32 [1, 3]", "0.9912 0.0000001 NaN");
    assertThat(TensorText.lines(Tensor.ofInt64("label", new long[] {2}, 7L, 9L), TensorLabels.NONE)).containsExactly("label int64 [2]", "7 9");
    // a card whose classes do not fit the tensor is not used
    assertThat(TensorText.lines(Tensor.ofFloat32("probabilities", new long[] {1, 2}, 0.5f, 0.5f), new ModelCardFile(Path.of("c.json"), "", List.of(), "probabilities", List.of("a", "b", "c"))))
        .containsExactly("probabilities float32 [1, 2]", "0.5 0.5");
  }

  @Test
  void longTensorsAreCut() {
    float[] values = new float[20 * 40];
    List<String> lines = TensorText.lines(Tensor.ofFloat32("big", new long[] {20, 40}, values), TensorLabels.NONE);
    assertThat(lines).hasSize(1 + TensorText.MAX_ROWS + 1);
    assertThat(lines.get(1)).startsWith("row 0: 0 0").endsWith("… (40 values)");
    assertThat(lines.getLast()).isEqualTo("… (20 rows)");
  }

  @Test
  void aCardThatIsNotJsonSaysSo() throws Exception {
    Path bad = Files.createTempFile("card", ".json");
    Files.writeString(bad, "{ not json");
    assertThatThrownBy(() -> ModelCardFile.read(bad)).isInstanceOf(IOException.class).hasMessageContaining("is not JSON");
  }
}
