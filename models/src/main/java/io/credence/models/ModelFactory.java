package io.credence.models;

import io.credence.protocol.Hashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/models}: regenerates the demo and benchmark models, byte for byte, and writes
 * their SHA-256 (as {@code sha256sum} prints them) to {@code SHA256SUMS}.
 *
 * <pre>
 * models/demo/iris-classifier.onnx   demo model (committed)
 * models/demo/iris-classifier.json   its inputs, outputs, classes and datasets
 * models/demo/iris-part-a.csv        first data provider's dataset (committed)
 * models/demo/iris-part-b.csv        second data provider's dataset (committed)
 * models/bench/credence-bench-mlp.onnx  benchmark MLP (regenerated, not committed: 84 MB)
 * models/SHA256SUMS                  hashes of all of the above (committed)
 * </pre>
 */
public final class ModelFactory {
  /**
   * The benchmark MLP: 1024 inputs, two hidden layers of 4096, 16 classes (21 M multiply-adds and
   * 84 MB of weights per row: like real models, a single row is bound by reading the weights).
   */
  public static final int[] BENCH_SIZES = {1024, 4096, 4096, 16};

  public static final long BENCH_SEED = 20261124L;

  private ModelFactory() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "models");
    Map<String, byte[]> files = generate();
    for (var f : files.entrySet()) {
      Path p = out.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, f.getValue());
    }
    Files.writeString(out.resolve("SHA256SUMS"), sums(files));
    System.out.print(sums(files));
  }

  /** Every generated file by its path under models/. */
  public static Map<String, byte[]> generate() throws IOException {
    IrisDemo.Artifacts demo = IrisDemo.build();
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("demo/iris-classifier.onnx", demo.model());
    files.put("demo/iris-part-a.csv", demo.datasetA());
    files.put("demo/iris-part-b.csv", demo.datasetB());
    files.put("demo/iris-classifier.json", card(demo).getBytes(StandardCharsets.UTF_8));
    files.put("bench/credence-bench-mlp.onnx", BenchMlp.build(BENCH_SIZES, BENCH_SEED));
    return files;
  }

  static String sums(Map<String, byte[]> files) {
    StringBuilder s = new StringBuilder();
    files.forEach((name, bytes) ->
        s.append(Hashes.hex(Hashes.sha256(bytes)).substring(2))
            .append("  ")
            .append(name)
            .append('\n'));
    return s.toString();
  }

  private static String card(IrisDemo.Artifacts demo) {
    return """
    {
      "name": "Credence demo Iris classifier",
      "trainer": "Tribuo 4.3.2 LogisticRegressionTrainer (default seed), all 150 rows",
      "source": "UCI Iris (R. A. Fisher, 1936; CC BY 4.0), weka-stable 3.8.6 %s, SHA-256 %s",
      "input": {"name": "features", "dtype": "float32", "shape": [-1, 4], "columns": %s},
      "output": {"name": "probabilities", "dtype": "float32", "shape": [-1, 3], "classes": %s},
      "datasets": {
        "iris-part-a.csv": "%s",
        "iris-part-b.csv": "%s"
      }
    }
    """
        .formatted(
            IrisDemo.IRIS_RESOURCE,
            IrisDemo.IRIS_SHA256,
            json(IrisDemo.FEATURES),
            json(demo.classes()),
            Hashes.hex(Hashes.sha256(demo.datasetA())),
            Hashes.hex(Hashes.sha256(demo.datasetB())));
  }

  private static String json(List<String> names) {
    return names.stream().map(n -> "\"" + n + "\"").toList().toString();
  }
}
