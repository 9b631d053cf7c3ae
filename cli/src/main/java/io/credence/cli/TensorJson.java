package io.credence.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.tensor.DType;
import io.credence.protocol.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tensors as JSON, for people: a list of {@code {"name", "dtype", "shape", "data"}} with dtype one
 * of float32, float64, int32, int64, uint8, bool and data the flat row-major values, e.g. {@code
 * [{"name":"features","dtype":"float32","shape":[1,4],"data":[1.4,0.2,5.1,3.5]}]}.
 */
final class TensorJson {
  private TensorJson() {}

  static List<Tensor> read(String json) {
    JsonNode root;
    try {
      root = ProtocolJson.mapper().readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("the input is not JSON: " + e.getOriginalMessage());
    }
    if (!root.isArray() || root.isEmpty()) {
      throw new IllegalArgumentException(
          "the input is a JSON list of tensors: [{\"name\", \"dtype\", \"shape\", \"data\"}, ...]");
    }
    List<Tensor> out = new ArrayList<>();
    for (JsonNode t : root) {
      String name = text(t, "name");
      DType dtype;
      try {
        dtype = DType.valueOf(text(t, "dtype").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "tensor " + name + ": dtype is one of float32, float64, int32, int64, uint8, bool");
      }
      JsonNode shapeNode = t.get("shape");
      JsonNode data = t.get("data");
      if (shapeNode == null || !shapeNode.isArray() || data == null || !data.isArray()) {
        throw new IllegalArgumentException(
            "tensor " + name + " needs \"shape\" and \"data\" lists");
      }
      long[] shape = new long[shapeNode.size()];
      long count = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shapeNode.get(i).asLong();
        count *= shape[i];
      }
      if (count != data.size()) {
        throw new IllegalArgumentException(
            "tensor " + name + ": shape holds " + count + " values, data has " + data.size());
      }
      int n = data.size();
      out.add(
          switch (dtype) {
            case FLOAT32 -> {
              float[] v = new float[n];
              for (int i = 0; i < n; i++) {
                v[i] = (float) data.get(i).asDouble();
              }
              yield Tensor.ofFloat32(name, shape, v);
            }
            case FLOAT64 -> {
              double[] v = new double[n];
              for (int i = 0; i < n; i++) {
                v[i] = data.get(i).asDouble();
              }
              yield Tensor.ofFloat64(name, shape, v);
            }
            case INT32 -> {
              int[] v = new int[n];
              for (int i = 0; i < n; i++) {
                v[i] = data.get(i).asInt();
              }
              yield Tensor.ofInt32(name, shape, v);
            }
            case INT64 -> {
              long[] v = new long[n];
              for (int i = 0; i < n; i++) {
                v[i] = data.get(i).asLong();
              }
              yield Tensor.ofInt64(name, shape, v);
            }
            case UINT8 -> {
              byte[] v = new byte[n];
              for (int i = 0; i < n; i++) {
                v[i] = (byte) data.get(i).asInt();
              }
              yield Tensor.ofUint8(name, shape, v);
            }
            case BOOL -> {
              boolean[] v = new boolean[n];
              for (int i = 0; i < n; i++) {
                v[i] = data.get(i).asBoolean();
              }
              yield Tensor.ofBool(name, shape, v);
            }
          });
    }
    return out;
  }

  static String write(List<Tensor> tensors) {
    ArrayNode root = ProtocolJson.mapper().createArrayNode();
    for (Tensor t : tensors) {
      ObjectNode o = root.addObject();
      o.put("name", t.name());
      o.put("dtype", t.dtype().name().toLowerCase(Locale.ROOT));
      ArrayNode shape = o.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      ArrayNode data = o.putArray("data");
      switch (t.dtype()) {
        case FLOAT32 -> {
          for (float v : t.toFloatArray()) {
            data.add(v);
          }
        }
        case FLOAT64 -> {
          for (double v : t.toDoubleArray()) {
            data.add(v);
          }
        }
        case INT32 -> {
          for (int v : t.toIntArray()) {
            data.add(v);
          }
        }
        case INT64 -> {
          for (long v : t.toLongArray()) {
            data.add(v);
          }
        }
        case UINT8 -> {
          for (byte v : t.data()) {
            data.add(v & 0xFF);
          }
        }
        case BOOL -> {
          for (boolean v : t.toBooleanArray()) {
            data.add(v);
          }
        }
      }
    }
    return root.toString();
  }

  private static String text(JsonNode t, String field) {
    JsonNode v = t.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("each tensor needs a \"" + field + "\" string");
    }
    return v.asText();
  }
}
