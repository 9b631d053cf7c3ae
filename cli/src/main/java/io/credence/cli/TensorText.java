package io.credence.cli;

import io.credence.protocol.tensor.Tensor;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Tensors for people, one header line per tensor ({@code probabilities float32 [1, 3]}) and one line
 * per row of its last dimension. A row whose columns the model card names prints {@code name value}
 * pairs in order; a row of classes prints them most likely first ({@code Iris-setosa 0.991
 * Iris-versicolor 0.006 …}); other rows print their values. Numbers keep 4 significant digits; long
 * tensors are cut after {@link #MAX_ROWS} rows and {@link #MAX_VALUES} values a row.
 */
final class TensorText {
  static final int MAX_ROWS = 8;
  static final int MAX_VALUES = 16;
  private static final MathContext DIGITS = new MathContext(4);

  private TensorText() {}

  /** The lines of {@code tensor} (the first is its header), labelled with {@code labels}. */
  static List<String> lines(Tensor tensor, TensorLabels labels) {
    List<String> out = new ArrayList<>();
    long[] shape = tensor.shape();
    out.add(tensor.name() + " " + tensor.dtype().name().toLowerCase(Locale.ROOT) + " "
        + Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]")));
    List<String> values = values(tensor);
    int width = shape.length == 0 ? 1 : (int) Math.max(1, shape[shape.length - 1]);
    int rows = values.isEmpty() ? 0 : values.size() / width;
    List<String> columns = labels.columns(tensor.name());
    List<String> classes = labels.classes(tensor.name());
    for (int r = 0; r < Math.min(rows, MAX_ROWS); r++) {
      List<String> row = values.subList(r * width, (r + 1) * width);
      String text;
      if (columns.size() == width) {
        text = pairs(columns, row, false);
      } else if (classes.size() == width) {
        text = pairs(classes, row, true);
      } else {
        text = String.join(" ", row.subList(0, Math.min(row.size(), MAX_VALUES))) + (row.size() > MAX_VALUES ? " … (" + row.size() + " values)" : "");
      }
      out.add((rows > 1 ? "row " + r + ": " : "") + text);
    }
    if (rows > MAX_ROWS) {
      out.add("… (" + rows + " rows)");
    }
    return out;
  }

  private static String pairs(List<String> names, List<String> row, boolean mostLikelyFirst) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < row.size(); i++) {
      order.add(i);
    }
    if (mostLikelyFirst) {
      order.sort(Comparator.comparingDouble((Integer i) -> Double.parseDouble(row.get(i))).reversed());
    }
    return order.stream().limit(MAX_VALUES).map(i -> names.get(i) + " " + row.get(i)).collect(Collectors.joining("  "))
        + (row.size() > MAX_VALUES ? " … (" + row.size() + " values)" : "");
  }

  /** Every value, flat and row-major, as text. */
  private static List<String> values(Tensor t) {
    List<String> out = new ArrayList<>();
    switch (t.dtype()) {
      case FLOAT32 -> {
        for (float v : t.toFloatArray()) {
          out.add(number(Float.isFinite(v) ? new BigDecimal(Float.toString(v)) : null, Float.toString(v)));
        }
      }
      case FLOAT64 -> {
        for (double v : t.toDoubleArray()) {
          out.add(number(Double.isFinite(v) ? new BigDecimal(Double.toString(v)) : null, Double.toString(v)));
        }
      }
      case INT32 -> {
        for (int v : t.toIntArray()) {
          out.add(Integer.toString(v));
        }
      }
      case INT64 -> {
        for (long v : t.toLongArray()) {
          out.add(Long.toString(v));
        }
      }
      case UINT8 -> {
        for (byte v : t.data()) {
          out.add(Integer.toString(v & 0xFF));
        }
      }
      case BOOL -> {
        for (boolean v : t.toBooleanArray()) {
          out.add(Boolean.toString(v));
        }
      }
    }
    return out;
  }

  private static String number(BigDecimal v, String nonFinite) {
    return v == null ? nonFinite : v.round(DIGITS).stripTrailingZeros().toPlainString();
  }
}
