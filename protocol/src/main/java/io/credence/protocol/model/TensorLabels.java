package io.credence.protocol.model;

import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.protocol.tensor.TensorFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Inputs and outputs as people read them: the canonical tensor encoding decoded ({@link
 * TensorCodec}) into name, dtype, shape and values, each value labelled from the model's card where
 * the card names the elements of the tensor's last dimension ({@code Iris-setosa 0.991}). The
 * explorer and the CLI show requests with it.
 */
public final class TensorLabels {
  private TensorLabels() {}

  /** Which side of a request a payload is: it decides which of the card's labels apply. */
  public enum Side {
    INPUT,
    OUTPUT
  }

  /**
   * One decoded tensor.
   *
   * @param name its name
   * @param dtype its element type, lower-case ({@code float32})
   * @param shape its shape
   * @param values its elements, row-major: numbers, or booleans for bool
   * @param labels the card's label of each element of the last dimension, or empty
   * @param text the values as one line: rows separated by "; ", each value with its label ({@code
   *     Iris-versicolor 0.004, Iris-virginica 0.005, Iris-setosa 0.991})
   */
  public record Labelled(
      String name,
      String dtype,
      long[] shape,
      List<Object> values,
      List<String> labels,
      String text) {}

  /**
   * The tensors of {@code encoded}, labelled from {@code card}.
   *
   * @throws TensorFormatException when {@code encoded} is not the canonical encoding of tensors
   */
  public static List<Labelled> decode(byte[] encoded, ModelCard card, Side side) {
    List<Tensor> tensors = TensorCodec.decode(encoded);
    ModelCard.Labels labels = side == Side.INPUT ? card.input() : card.output();
    List<Labelled> out = new ArrayList<>(tensors.size());
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      boolean named = labels.tensor() == null ? i == 0 : labels.tensor().equals(t.name());
      long[] shape = t.shape();
      long last = shape.length == 0 ? 1 : shape[shape.length - 1];
      // labels apply only where they fit: one per element of the last dimension
      List<String> own =
          named && !labels.labels().isEmpty() && last == labels.labels().size()
              ? labels.labels()
              : List.of();
      List<Object> values = values(t);
      out.add(
          new Labelled(
              t.name(),
              t.dtype().name().toLowerCase(Locale.ROOT),
              shape,
              values,
              own,
              text(values, own, (int) Math.max(1, last))));
    }
    return out;
  }

  /** Every tensor's name and text, one per line: what a terminal shows. */
  public static String format(List<Labelled> tensors) {
    StringBuilder b = new StringBuilder();
    for (Labelled t : tensors) {
      if (!b.isEmpty()) {
        b.append('\n');
      }
      b.append(t.name())
          .append(' ')
          .append(t.dtype())
          .append(java.util.Arrays.toString(t.shape()))
          .append(": ")
          .append(t.text());
    }
    return b.toString();
  }

  private static List<Object> values(Tensor t) {
    List<Object> out = new ArrayList<>();
    switch (t.dtype()) {
      case FLOAT32 -> {
        for (float f : t.toFloatArray()) {
          out.add(f);
        }
      }
      case FLOAT64 -> {
        for (double d : t.toDoubleArray()) {
          out.add(d);
        }
      }
      case INT32 -> {
        for (int v : t.toIntArray()) {
          out.add(v);
        }
      }
      case INT64 -> {
        for (long v : t.toLongArray()) {
          out.add(v);
        }
      }
      case UINT8 -> {
        for (byte v : t.data()) {
          out.add(v & 0xff);
        }
      }
      case BOOL -> {
        for (boolean v : t.toBooleanArray()) {
          out.add(v);
        }
      }
    }
    return out;
  }

  private static String text(List<Object> values, List<String> labels, int row) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        b.append(i % row == 0 ? "; " : ", ");
      }
      if (!labels.isEmpty()) {
        b.append(labels.get(i % row)).append(' ');
      }
      b.append(value(values.get(i)));
    }
    return b.toString();
  }

  /**
   * Floats to three decimals (probabilities and features read well so; the API keeps full values).
   */
  private static String value(Object v) {
    return switch (v) {
      case Float f -> String.format(Locale.ROOT, "%.3f", f);
      case Double d -> String.format(Locale.ROOT, "%.3f", d);
      default -> v.toString();
    };
  }
}
