package io.credence.models;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * A multi-layer perceptron in ONNX for benchmarks: {@code features} float32 [batch, in] through
 * Gemm + Relu layers to {@code probabilities} float32 [batch, out] (Softmax). The batch dimension
 * is symbolic, so jobs can be batched. Weights come from a seeded generator (He initialisation), so
 * the same sizes and seed give the same bytes.
 */
public final class BenchMlp {
  public static final String INPUT = "features";
  public static final String OUTPUT = "probabilities";

  private BenchMlp() {}

  /**
   * @param sizes layer widths, input first and classes last, e.g. {256, 1024, 1024, 10}
   * @param seed weight generator seed
   */
  public static byte[] build(int[] sizes, long seed) {
    if (sizes.length < 2) {
      throw new IllegalArgumentException("an MLP needs at least an input and an output size");
    }
    SplittableRandom random = new SplittableRandom(seed);
    GraphProto.Builder g = GraphProto.newBuilder().setName("credence-bench-mlp");
    g.addInput(floatValue(INPUT, sizes[0]));
    String x = INPUT;
    for (int layer = 0; layer + 1 < sizes.length; layer++) {
      int in = sizes[layer];
      int out = sizes[layer + 1];
      String w = "w" + layer;
      String b = "b" + layer;
      g.addInitializer(floatTensor(w, new long[] {in, out}, heWeights(random, in, out)));
      g.addInitializer(floatTensor(b, new long[] {out}, new float[out]));
      String gemm = "gemm" + layer;
      g.addNode(
          NodeProto.newBuilder()
              .setOpType("Gemm")
              .setName(gemm)
              .addInput(x)
              .addInput(w)
              .addInput(b)
              .addOutput(gemm));
      boolean last = layer + 2 == sizes.length;
      if (last) {
        g.addNode(
            NodeProto.newBuilder()
                .setOpType("Softmax")
                .setName("softmax")
                .addInput(gemm)
                .addOutput(OUTPUT)
                .addAttribute(
                    AttributeProto.newBuilder()
                        .setName("axis")
                        .setType(AttributeProto.AttributeType.INT)
                        .setI(1)));
      } else {
        String relu = "relu" + layer;
        g.addNode(
            NodeProto.newBuilder().setOpType("Relu").setName(relu).addInput(gemm).addOutput(relu));
        x = relu;
      }
    }
    g.addOutput(floatValue(OUTPUT, sizes[sizes.length - 1]));
    return model(
            g.build(),
            "Credence benchmark MLP " + java.util.Arrays.toString(sizes) + ", seed " + seed)
        .toByteArray();
  }

  /** A model around {@code graph}: IR 8, default opset 13, no timestamps (reproducible bytes). */
  static ModelProto model(GraphProto graph, String doc) {
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("credence")
        .setProducerVersion("1")
        .setDocString(doc)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph)
        .build();
  }

  private static float[] heWeights(SplittableRandom random, int in, int out) {
    float[] w = new float[in * out];
    double scale = Math.sqrt(2.0 / in);
    for (int i = 0; i < w.length; i++) {
      // Box-Muller on the seeded generator: the same seed gives the same weights everywhere
      double u1 = 1.0 - random.nextDouble();
      double u2 = random.nextDouble();
      w[i] = (float) (scale * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    return w;
  }

  private static ValueInfoProto floatValue(String name, int width) {
    TensorShapeProto shape =
        TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width))
            .build();
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT.getNumber())
                        .setShape(shape)))
        .build();
  }

  private static TensorProto floatTensor(String name, long[] dims, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    TensorProto.Builder t =
        TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
    for (long d : dims) {
      t.addDims(d);
    }
    return t.setRawData(ByteString.copyFrom(raw.array())).build();
  }
}
