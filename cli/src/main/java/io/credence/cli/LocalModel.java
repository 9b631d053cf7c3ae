package io.credence.cli;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.credence.protocol.tensor.DType;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a model locally on a request's input the way a worker does (the inference worker's {@code
 * InferenceEngine}): the input decoded from the canonical tensor encoding, fed to ONNX Runtime
 * (every optimisation on, as the worker's sessions), every output in the session's output order,
 * typed as the worker types it, and the list encoded canonically again. The bytes are an honest
 * worker's output, so their hash is comparable with a settled answer's.
 */
final class LocalModel {
  private LocalModel() {}

  /** Why the model could not be run on the input: a one-line reason. */
  static final class CannotRun extends Exception {
    CannotRun(String message) {
      super(message);
    }
  }

  /** The canonical encoding of the outputs of {@code model} on the encoded {@code input}. */
  static byte[] run(Path model, byte[] input) throws CannotRun {
    List<Tensor> inputs;
    try {
      inputs = TensorCodec.decode(input);
    } catch (IllegalArgumentException e) {
      throw new CannotRun(
          "the request's input is not a canonical tensor encoding (" + e.getMessage() + ")");
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      try (OrtSession session = env.createSession(model.toString(), options)) {
        Set<String> expected = new TreeSet<>(session.getInputNames());
        Set<String> given = new TreeSet<>();
        inputs.forEach(t -> given.add(t.name()));
        if (!expected.equals(given) || given.size() != inputs.size()) {
          throw new CannotRun(
              "the model takes inputs " + expected + ", the request gives " + given);
        }
        return TensorCodec.encode(run(env, session, inputs));
      }
    } catch (OrtException e) {
      throw new CannotRun("ONNX Runtime failed: " + e.getMessage());
    }
  }

  private static List<Tensor> run(OrtEnvironment env, OrtSession session, List<Tensor> inputs)
      throws OrtException, CannotRun {
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      for (Tensor t : inputs) {
        feed.put(t.name(), toOnnx(env, t));
      }
      try (OrtSession.Result result = session.run(feed)) {
        List<Tensor> outputs = new ArrayList<>();
        for (String name : List.copyOf(session.getOutputNames())) {
          OnnxValue v = result.get(name).orElseThrow();
          if (!(v instanceof OnnxTensor ot)) {
            throw new CannotRun("output '" + name + "' is a " + v.getType() + ", not a tensor");
          }
          outputs.add(fromOnnx(name, ot));
        }
        return outputs;
      }
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private static OnnxTensor toOnnx(OrtEnvironment env, Tensor t) throws OrtException {
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

  private static Tensor fromOnnx(String name, OnnxTensor t) throws CannotRun {
    TensorInfo info = t.getInfo();
    DType dtype =
        switch (info.type) {
          case FLOAT -> DType.FLOAT32;
          case DOUBLE -> DType.FLOAT64;
          case INT32 -> DType.INT32;
          case INT64 -> DType.INT64;
          case UINT8 -> DType.UINT8;
          case BOOL -> DType.BOOL;
          default ->
              throw new CannotRun(
                  "output '" + name + "' has type " + info.type + ", which Credence cannot encode");
        };
    ByteBuffer b = t.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    byte[] data = new byte[b.remaining()];
    b.get(data);
    return new Tensor(name, dtype, info.getShape(), data);
  }
}
