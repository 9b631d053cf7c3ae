package io.credence.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** scripts/models reproduces, byte for byte, what is committed in models/SHA256SUMS. */
class ModelFactoryTest {
  @Test
  void regeneratesTheCommittedHashes() throws Exception {
    Path committed = Path.of("SHA256SUMS");
    assertThat(committed).as("models/SHA256SUMS (run scripts/models)").exists();
    var generated = ModelFactory.generate();
    assertThat(ModelFactory.sums(generated)).isEqualTo(Files.readString(committed));
    assertThat(Files.readAllBytes(Path.of("demo/iris-classifier.onnx")))
        .as("the committed demo model is the generated one")
        .isEqualTo(generated.get("demo/iris-classifier.onnx"));
  }
}
