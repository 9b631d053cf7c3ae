package io.credence.protocol.dispute;

import io.credence.protocol.tensor.DType;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import java.util.Arrays;
import java.util.List;

/**
 * How close a juror's output must be to the settled one for the juror to agree (a model's term in
 * the DisputeCourt). Two honest runs on different CPUs may differ in the last bits of a float (ONNX
 * Runtime picks kernels by instruction set), so floats are compared within a bound.
 *
 * <ul>
 *   <li>{@link #EXACT}: the encoded outputs are byte for byte equal.
 *   <li>{@link #ARGMAX}: same tensors (names, types, shapes); each float tensor has the same
 *       arg-max along its last axis, row by row (the first index on a tie); other tensors equal.
 *   <li>{@link #CLOSE}: same tensors; each float element equal, or within {@code absE9} × 1e-9, or
 *       within {@code ulps} units in the last place (NaN agrees only with NaN); other tensors
 *       equal.
 * </ul>
 *
 * An output that is not a canonical tensor encoding agrees only with identical bytes.
 *
 * @param mode 1 exact, 2 arg-max, 3 close (the court's {@code TOLERANCE_*})
 * @param ulps units in the last place a float may differ by ({@link #CLOSE})
 * @param absE9 absolute difference a float may have, in units of 1e-9 ({@link #CLOSE})
 */
public record Tolerance(int mode, long ulps, long absE9) {
  public static final int EXACT = 1;
  public static final int ARGMAX = 2;
  public static final int CLOSE = 3;

  public Tolerance {
    if (mode < EXACT || mode > CLOSE) {
      throw new IllegalArgumentException("tolerance mode must be 1, 2 or 3, got " + mode);
    }
    if (ulps < 0 || absE9 < 0) {
      throw new IllegalArgumentException("tolerance bounds must not be negative");
    }
  }

  public static Tolerance exact() {
    return new Tolerance(EXACT, 0, 0);
  }

  /** Whether {@code mine} agrees with {@code settled} under this tolerance. */
  public boolean agrees(byte[] settled, byte[] mine) {
    if (Arrays.equals(settled, mine)) {
      return true;
    }
    if (mode == EXACT) {
      return false;
    }
    List<Tensor> a;
    List<Tensor> b;
    try {
      a = TensorCodec.decode(settled);
      b = TensorCodec.decode(mine);
    } catch (IllegalArgumentException e) { // a TensorFormatException: not tensors
      return false;
    }
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!agrees(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private boolean agrees(Tensor a, Tensor b) {
    if (!a.name().equals(b.name())
        || a.dtype() != b.dtype()
        || !Arrays.equals(a.shape(), b.shape())) {
      return false;
    }
    if (a.dtype() != DType.FLOAT32 && a.dtype() != DType.FLOAT64) {
      return Arrays.equals(a.data(), b.data());
    }
    double[] x = doubles(a);
    double[] y = doubles(b);
    if (mode == ARGMAX) {
      long[] shape = a.shape();
      int row = shape.length == 0 ? 1 : (int) Math.max(1, shape[shape.length - 1]);
      for (int start = 0; start < x.length; start += row) {
        if (argmax(x, start, row) != argmax(y, start, row)) {
          return false;
        }
      }
      return true;
    }
    for (int i = 0; i < x.length; i++) {
      if (!close(x[i], y[i], a.dtype())) {
        return false;
      }
    }
    return true;
  }

  private boolean close(double x, double y, DType dtype) {
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Double.isNaN(x) && Double.isNaN(y);
    }
    if (x == y) {
      return true;
    }
    if (Math.abs(x - y) <= absE9 * 1e-9) {
      return true;
    }
    return ulpDistance(x, y, dtype) <= ulps;
  }

  /** Units in the last place between two floats of the same type, by their ordered bit patterns. */
  static long ulpDistance(double x, double y, DType dtype) {
    if (dtype == DType.FLOAT32) {
      long a = ordered(Float.floatToIntBits((float) x));
      long b = ordered(Float.floatToIntBits((float) y));
      return Math.abs(a - b);
    }
    long a = ordered(Double.doubleToLongBits(x));
    long b = ordered(Double.doubleToLongBits(y));
    try {
      return Math.abs(Math.subtractExact(a, b));
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long ordered(int bits) {
    return bits < 0 ? Integer.MIN_VALUE - (long) bits : bits;
  }

  private static long ordered(long bits) {
    return bits < 0 ? Long.MIN_VALUE - bits : bits;
  }

  private static int argmax(double[] v, int start, int length) {
    int best = start;
    for (int i = start + 1; i < Math.min(v.length, start + length); i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best - start;
  }

  private static double[] doubles(Tensor t) {
    if (t.dtype() == DType.FLOAT64) {
      return t.toDoubleArray();
    }
    float[] f = t.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
