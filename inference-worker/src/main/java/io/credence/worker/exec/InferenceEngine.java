package io.credence.worker.exec;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.credence.protocol.receipt.FailureReason;
import io.credence.protocol.tensor.DType;
import io.credence.protocol.tensor.Tensor;
import io.credence.worker.model.LoadedModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks inputs against a model and runs it. Every way an input can be wrong (names, types, shapes,
 * sizes) is a {@link JobFailure} with its reason, so the requester is refunded; outputs come back
 * as tensors in the model's output order, ready for the canonical encoding.
 */
public final class InferenceEngine {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final long maxInputElements;

  public InferenceEngine(long maxInputElements) {
    this.maxInputElements = maxInputElements;
  }

  /** Checks names, types, ranks, fixed dimensions and sizes. */
  public void validate(LoadedModel model, List<Tensor> inputs) throws JobFailure {
    Map<String, Tensor> byName = new LinkedHashMap<>();
    for (Tensor t : inputs) {
      if (byName.put(t.name(), t) != null) {
        throw new JobFailure(
            FailureReason.INPUT_MISMATCH, "input '" + t.name() + "' is given twice");
      }
    }
    Set<String> expected = new TreeSet<>(model.inputs().keySet());
    if (!expected.equals(new TreeSet<>(byName.keySet()))) {
      throw new JobFailure(
          FailureReason.INPUT_MISMATCH,
          "the model takes inputs "
              + expected
              + ", the request gives "
              + new TreeSet<>(byName.keySet()));
    }
    for (var e : model.inputs().entrySet()) {
      Tensor t = byName.get(e.getKey());
      TensorInfo info = tensorInfo(e.getKey(), e.getValue());
      DType want = dtypeOf(info.type);
      if (want == null) {
        throw new JobFailure(
            FailureReason.INPUT_MISMATCH,
            "input '" + e.getKey() + "' has type " + info.type + ", which Credence cannot encode");
      }
      if (t.dtype() != want) {
        throw new JobFailure(
            FailureReason.INPUT_MISMATCH,
            "input '" + e.getKey() + "' must be " + want + ", got " + t.dtype());
      }
      long[] shape = info.getShape();
      long[] given = t.shape();
      boolean fits = shape.length == given.length;
      for (int d = 0; fits && d < shape.length; d++) {
        fits = shape[d] < 0 || shape[d] == given[d];
      }
      if (!fits) {
        throw new JobFailure(
            FailureReason.INPUT_MISMATCH,
            "input '"
                + e.getKey()
                + "' must have shape "
                + Arrays.toString(shape)
                + " (-1: any), got "
                + Arrays.toString(given));
      }
      if (t.size() > maxInputElements) {
        throw new JobFailure(
            FailureReason.INPUT_TOO_LARGE,
            "input '"
                + e.getKey()
                + "' has "
                + t.size()
                + " elements, more than "
                + maxInputElements);
      }
    }
  }

  /** Runs the model on validated inputs. */
  public List<Tensor> run(LoadedModel model, List<Tensor> inputs) throws JobFailure {
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      for (Tensor t : inputs) {
        feed.put(t.name(), toOnnx(t));
      }
      try (OrtSession.Result result = model.session().run(feed)) {
        List<Tensor> outputs = new ArrayList<>();
        for (String name : model.outputNames()) {
          OnnxValue v = result.get(name).orElseThrow();
          if (!(v instanceof OnnxTensor ot)) {
            throw new JobFailure(
                FailureReason.EXECUTION_FAILED,
                "output '" + name + "' is a " + v.getType() + ", not a tensor");
          }
          outputs.add(fromOnnx(name, ot));
        }
        return outputs;
      }
    } catch (OrtException e) {
      throw new JobFailure(
          FailureReason.EXECUTION_FAILED, "ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor toOnnx(Tensor t) throws OrtException {
    ByteBuffer data = t.buffer();
    ByteBuffer direct = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    direct.put(data).flip();
    OnnxJavaType type =
        switch (t.dtype()) {
          case FLOAT32 -> OnnxJavaType.FLOAT;
          case FLOAT64 -> OnnxJavaType.DOUBLE;
          case INT32 -> OnnxJavaType.INT32;
          case INT64 -> OnnxJavaType.INT64;
          case UINT8 -> OnnxJavaType.UINT8;
          case BOOL -> OnnxJavaType.BOOL;
        };
    return OnnxTensor.createTensor(env, direct, t.shape(), type);
  }

  private static Tensor fromOnnx(String name, OnnxTensor t) throws JobFailure {
    TensorInfo info = t.getInfo();
    DType dtype = dtypeOf(info.type);
    if (dtype == null) {
      throw new JobFailure(
          FailureReason.EXECUTION_FAILED,
          "output '" + name + "' has type " + info.type + ", which Credence cannot encode");
    }
    ByteBuffer b = t.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    byte[] data = new byte[b.remaining()];
    b.get(data);
    return new Tensor(name, dtype, info.getShape(), data);
  }

  private static TensorInfo tensorInfo(String name, NodeInfo node) throws JobFailure {
    if (node.getInfo() instanceof TensorInfo ti) {
      return ti;
    }
    throw new JobFailure(
        FailureReason.INPUT_MISMATCH, "model input '" + name + "' is not a tensor");
  }

  static DType dtypeOf(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> DType.FLOAT32;
      case DOUBLE -> DType.FLOAT64;
      case INT32 -> DType.INT32;
      case INT64 -> DType.INT64;
      case UINT8 -> DType.UINT8;
      case BOOL -> DType.BOOL;
      default -> null;
    };
  }
}
