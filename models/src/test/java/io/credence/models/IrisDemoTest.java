package io.credence.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.credence.protocol.Hashes;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IrisDemoTest {
  @Test
  void buildsTheSameBytesTwiceAndClassifiesIris() throws Exception {
    IrisDemo.Artifacts a = IrisDemo.build();
    IrisDemo.Artifacts b = IrisDemo.build();
    assertThat(Hashes.sha256(a.model())).isEqualTo(Hashes.sha256(b.model()));
    assertThat(a.datasetA()).isEqualTo(b.datasetA());
    assertThat(a.classes())
        .containsExactlyInAnyOrder("Iris-setosa", "Iris-versicolor", "Iris-virginica");
    assertThat(new String(a.datasetA()).lines())
        .hasSize(76)
        .first()
        .isEqualTo("sepal_length,sepal_width,petal_length,petal_width,species");

    List<IrisDemo.Row> rows = IrisDemo.rows();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(a.model(), new OrtSession.SessionOptions())) {
      assertThat(s.getInputNames()).containsExactly(BenchMlp.INPUT);
      assertThat(s.getOutputNames()).contains(BenchMlp.OUTPUT);
      float[] x = new float[rows.size() * 4];
      for (int i = 0; i < rows.size(); i++) {
        double[] f = rows.get(i).features();
        for (int j = 0; j < 4; j++) {
          x[i * 4 + j] = (float) f[j];
        }
      }
      try (OnnxTensor in =
              OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows.size(), 4});
          OrtSession.Result r = s.run(Map.of(BenchMlp.INPUT, in))) {
        float[][] p = (float[][]) r.get(BenchMlp.OUTPUT).orElseThrow().getValue();
        int correct = 0;
        for (int i = 0; i < rows.size(); i++) {
          int best = 0;
          for (int c = 1; c < 3; c++) {
            if (p[i][c] > p[i][best]) {
              best = c;
            }
          }
          if (a.classes().get(best).equals(rows.get(i).species())) {
            correct++;
          }
        }
        assertThat(correct).as("training accuracy of %d/150", correct).isGreaterThanOrEqualTo(140);
      }
    }
  }
}
