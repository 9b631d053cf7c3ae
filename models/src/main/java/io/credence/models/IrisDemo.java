package io.credence.models;

import ai.onnx.proto.OnnxMl;
import io.credence.protocol.Hashes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * The demo classifier: logistic regression trained with Tribuo on the UCI Iris data (R. A. Fisher,
 * 1936; CC BY 4.0), read from the copy shipped in {@code weka-stable} and checked by its SHA-256.
 * The 150 rows are split into two dataset files, as if two providers had each collected half of
 * every species; both are registered datasets, so the demo credits two data providers.
 *
 * <p>The model takes {@code features} float32 [batch, 4] in the order of {@link #FEATURES} and
 * returns {@code probabilities} float32 [batch, 3] in the order of {@link Artifacts#classes()}
 * (Tribuo's output ids, which are not alphabetical; recorded next to the model).
 */
public final class IrisDemo {
  public static final String IRIS_RESOURCE = "weka/gui/beans/templates/iris.arff";
  public static final String IRIS_SHA256 =
      "0x7d34ba556497e9dc28335ea6628a37d1dbcba090a1ae20dc2de9c7032d199153";

  /** Tribuo orders features by name; the model's input columns are in this order. */
  public static final List<String> FEATURES =
      List.of("petal_length", "petal_width", "sepal_length", "sepal_width");

  private static final List<String> SPECIES =
      List.of("Iris-setosa", "Iris-versicolor", "Iris-virginica");
  private static final String CSV_HEADER =
      "sepal_length,sepal_width,petal_length,petal_width,species";

  /** One row of the data: sepal length and width, petal length and width (cm), species. */
  public record Row(
      double sepalLength,
      double sepalWidth,
      double petalLength,
      double petalWidth,
      String species) {
    double[] features() {
      return new double[] {petalLength, petalWidth, sepalLength, sepalWidth};
    }

    String csv() {
      return sepalLength + "," + sepalWidth + "," + petalLength + "," + petalWidth + "," + species;
    }
  }

  /**
   * What the demo is made of.
   *
   * @param model the ONNX file
   * @param classes the class of each output column, in order
   * @param datasetA the first provider's half of the data (CSV)
   * @param datasetB the second provider's half
   */
  public record Artifacts(byte[] model, List<String> classes, byte[] datasetA, byte[] datasetB) {}

  private IrisDemo() {}

  public static Artifacts build() throws IOException {
    List<Row> rows = rows();
    List<Row> a = new ArrayList<>();
    List<Row> b = new ArrayList<>();
    for (String species : SPECIES) {
      List<Row> of = rows.stream().filter(r -> r.species().equals(species)).toList();
      a.addAll(of.subList(0, of.size() / 2));
      b.addAll(of.subList(of.size() / 2, of.size()));
    }
    LabelFactory labels = new LabelFactory();
    MutableDataset<Label> data =
        new MutableDataset<>(
            new SimpleDataSourceProvenance(
                "UCI Iris", OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), labels),
            labels);
    for (Row r : rows) {
      data.add(
          new ArrayExample<>(
              new Label(r.species()), FEATURES.toArray(String[]::new), r.features()));
    }
    var model = new LogisticRegressionTrainer().train(data);
    List<String> classes = new ArrayList<>();
    for (var idAndLabel : model.getOutputIDInfo()) {
      classes.add(idAndLabel.getB().getLabel());
    }
    OnnxMl.ModelProto exported = ((ONNXExportable) model).exportONNXModel("io.credence.demo", 1);
    return new Artifacts(normalise(exported).toByteArray(), List.copyOf(classes), csv(a), csv(b));
  }

  /** The 150 rows of the UCI file, after checking the file is the expected one. */
  public static List<Row> rows() throws IOException {
    byte[] arff;
    try (InputStream in = IrisDemo.class.getClassLoader().getResourceAsStream(IRIS_RESOURCE)) {
      if (in == null) {
        throw new IOException(
            IRIS_RESOURCE + " is not on the classpath (it comes with weka-stable)");
      }
      arff = in.readAllBytes();
    }
    String sha = Hashes.hex(Hashes.sha256(arff));
    if (!sha.equals(IRIS_SHA256)) {
      throw new IOException("the Iris file has SHA-256 " + sha + ", expected " + IRIS_SHA256);
    }
    List<Row> rows = new ArrayList<>();
    boolean data = false;
    for (String line : new String(arff, StandardCharsets.UTF_8).split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("%")) {
        continue;
      }
      if (l.equalsIgnoreCase("@DATA")) {
        data = true;
      } else if (data) {
        String[] f = l.split(",");
        rows.add(
            new Row(
                Double.parseDouble(f[0]),
                Double.parseDouble(f[1]),
                Double.parseDouble(f[2]),
                Double.parseDouble(f[3]),
                f[4]));
      }
    }
    if (rows.size() != 150) {
      throw new IOException("expected 150 Iris rows, read " + rows.size());
    }
    return rows;
  }

  /**
   * Canonical names ({@code features}, {@code probabilities}) and no provenance metadata (which
   * carries times): the same data gives the same bytes.
   */
  static OnnxMl.ModelProto normalise(OnnxMl.ModelProto exported) {
    OnnxMl.GraphProto g = exported.getGraph();
    String in = g.getInput(0).getName();
    String out = g.getOutput(0).getName();
    OnnxMl.GraphProto.Builder b = g.toBuilder();
    b.setInput(0, g.getInput(0).toBuilder().setName(BenchMlp.INPUT));
    b.setOutput(0, g.getOutput(0).toBuilder().setName(BenchMlp.OUTPUT));
    for (int i = 0; i < b.getNodeCount(); i++) {
      OnnxMl.NodeProto.Builder n = b.getNodeBuilder(i);
      for (int j = 0; j < n.getInputCount(); j++) {
        if (n.getInput(j).equals(in)) {
          n.setInput(j, BenchMlp.INPUT);
        }
      }
      for (int j = 0; j < n.getOutputCount(); j++) {
        if (n.getOutput(j).equals(out)) {
          n.setOutput(j, BenchMlp.OUTPUT);
        }
      }
    }
    return exported.toBuilder()
        .clearMetadataProps()
        .setDocString(
            "Credence demo: logistic regression on the UCI Iris data, trained with Tribuo")
        .setGraph(b)
        .build();
  }

  private static byte[] csv(List<Row> rows) {
    StringBuilder s = new StringBuilder(CSV_HEADER).append('\n');
    rows.forEach(r -> s.append(r.csv()).append('\n'));
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }
}
