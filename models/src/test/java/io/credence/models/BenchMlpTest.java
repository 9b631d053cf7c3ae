package io.credence.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.credence.protocol.Hashes;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchMlpTest {
  @Test
  void sameSizesAndSeedGiveTheSameBytes() {
    byte[] a = BenchMlp.build(new int[] {8, 16, 3}, 7);
    assertThat(BenchMlp.build(new int[] {8, 16, 3}, 7)).isEqualTo(a);
    assertThat(Hashes.sha256(BenchMlp.build(new int[] {8, 16, 3}, 8)))
        .isNotEqualTo(Hashes.sha256(a));
  }

  @Test
  void runsInOnnxRuntimeWithAnyBatchSize() throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session =
        env.createSession(
            BenchMlp.build(new int[] {8, 16, 3}, 7), new OrtSession.SessionOptions())) {
      for (int batch : new int[] {1, 5}) {
        float[] x = new float[batch * 8];
        for (int i = 0; i < x.length; i++) {
          x[i] = (i % 7) / 7f;
        }
        try (OnnxTensor in =
                OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 8});
            OrtSession.Result r = session.run(Map.of(BenchMlp.INPUT, in))) {
          float[][] p = (float[][]) r.get(BenchMlp.OUTPUT).orElseThrow().getValue();
          assertThat(p).hasNumberOfRows(batch);
          for (float[] row : p) {
            assertThat(row[0] + row[1] + row[2])
                .isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
          }
        }
      }
    }
  }
}
