package io.credence.protocol.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.protocol.tensor.TensorFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCardTest {
  /** The demo model's card, as committed. */
  private static final Path IRIS = Path.of("..", "models", "demo", "iris-classifier.json");

  @Test
  void theDemoCardLabelsTheIrisOutputAndInput() throws Exception {
    ModelCard card = ModelCard.read(IRIS).orElseThrow();
    assertThat(card.output().tensor()).isEqualTo("probabilities");
    assertThat(card.output().labels())
        .containsExactly("Iris-versicolor", "Iris-virginica", "Iris-setosa");
    assertThat(card.input().labels())
        .containsExactly("petal_length", "petal_width", "sepal_length", "sepal_width");

    byte[] output =
        TensorCodec.encode(
            Tensor.ofFloat32("probabilities", new long[] {1, 3}, 0.004f, 0.005f, 0.991f));
    List<TensorLabels.Labelled> out = TensorLabels.decode(output, card, TensorLabels.Side.OUTPUT);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).dtype()).isEqualTo("float32");
    assertThat(out.get(0).shape()).containsExactly(1, 3);
    assertThat(out.get(0).text())
        .isEqualTo("Iris-versicolor 0.004, Iris-virginica 0.005, Iris-setosa 0.991");
    assertThat(TensorLabels.format(out))
        .isEqualTo(
            "probabilities float32[1, 3]: Iris-versicolor 0.004, Iris-virginica 0.005, Iris-setosa 0.991");

    byte[] input =
        TensorCodec.encode(
            Tensor.ofFloat32(
                "features", new long[] {2, 4}, 1.4f, 0.2f, 5.1f, 3.5f, 4.7f, 1.4f, 7.0f, 3.2f));
    assertThat(TensorLabels.decode(input, card, TensorLabels.Side.INPUT).get(0).text())
        .isEqualTo(
            "petal_length 1.400, petal_width 0.200, sepal_length 5.100, sepal_width 3.500; petal_length 4.700, petal_width 1.400,"
                + " sepal_length 7.000, sepal_width 3.200");
  }

  @Test
  void labelsThatDoNotFitTheTensorAreLeftOut() throws Exception {
    ModelCard card = ModelCard.read(IRIS).orElseThrow();
    byte[] four =
        TensorCodec.encode(
            Tensor.ofFloat32("probabilities", new long[] {1, 4}, 0.1f, 0.2f, 0.3f, 0.4f));
    assertThat(TensorLabels.decode(four, card, TensorLabels.Side.OUTPUT).get(0).labels()).isEmpty();
    byte[] other = TensorCodec.encode(Tensor.ofInt64("label", new long[] {3}, 1, 2, 3));
    TensorLabels.Labelled unlabelled =
        TensorLabels.decode(other, card, TensorLabels.Side.OUTPUT).get(0);
    assertThat(unlabelled.labels()).isEmpty();
    assertThat(unlabelled.text()).isEqualTo("1, 2, 3");
    assertThat(TensorLabels.decode(other, ModelCard.NONE, TensorLabels.Side.OUTPUT).get(0).values())
        .containsExactly(1L, 2L, 3L);
  }

  @Test
  void bytesThatAreNotTensorsAreRefused() {
    assertThatThrownBy(() ->
            TensorLabels.decode(
                "out 1".getBytes(StandardCharsets.UTF_8), ModelCard.NONE, TensorLabels.Side.OUTPUT))
        .isInstanceOf(TensorFormatException.class);
  }

  @Test
  void aCardLiesNextToAFileModel() {
    Path root = Path.of("/srv/models");
    assertThat(ModelCard.cardPath("file:models/demo/iris-classifier.onnx", root))
        .contains(Path.of("/srv/models/models/demo/iris-classifier.json"));
    assertThat(ModelCard.cardPath("file:///opt/m.onnx", root)).contains(Path.of("/opt/m.json"));
    assertThat(ModelCard.cardPath("https://example.org/m.onnx", root)).isEmpty();
    assertThat(ModelCard.cardPath("file:m.bin", root)).isEmpty();
    assertThat(ModelCard.cardPath("not a uri", root)).isEmpty();
  }

  @Test
  void aBrokenCardIsAnErrorNamingTheFile() {
    assertThatThrownBy(() -> ModelCard.parse("{".getBytes(StandardCharsets.UTF_8), "m.json"))
        .hasMessageContaining("m.json");
    assertThatThrownBy(() ->
            ModelCard.parse(
                "{\"output\":{\"classes\":3}}".getBytes(StandardCharsets.UTF_8), "m.json"))
        .hasMessageContaining("classes");
  }
}
