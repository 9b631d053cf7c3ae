package io.credence.protocol.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor: element type, shape, and data little-endian and row-major, exactly as the
 * canonical encoding carries it. Immutable; the factory methods convert from Java arrays.
 */
public final class Tensor {
  /** The largest dimension the encoding can carry ({@code uint32}). */
  public static final long MAX_DIM = 0xFFFF_FFFFL;

  private final String name;
  private final DType dtype;
  private final long[] shape;
  private final byte[] data;

  /**
   * @throws TensorFormatException when the data length does not match the shape and type
   */
  public Tensor(String name, DType dtype, long[] shape, byte[] data) {
    this(name, dtype, shape, data, true);
  }

  /** Takes {@code shape} and {@code data} as they are: for arrays no one else holds. */
  static Tensor owning(String name, DType dtype, long[] shape, byte[] data) {
    return new Tensor(name, dtype, shape, data, false);
  }

  private Tensor(String name, DType dtype, long[] shape, byte[] data, boolean copy) {
    this.name = Objects.requireNonNull(name, "name");
    this.dtype = Objects.requireNonNull(dtype, "dtype");
    this.shape = copy ? shape.clone() : shape;
    this.data = copy ? data.clone() : data;
    long elements = 1;
    for (long d : this.shape) {
      if (d < 0 || d > MAX_DIM) {
        throw new TensorFormatException(
            "tensor '" + name + "': dimension " + d + " outside 0.." + MAX_DIM);
      }
      try {
        elements = Math.multiplyExact(elements, d);
      } catch (ArithmeticException e) {
        throw new TensorFormatException(
            "tensor '" + name + "': shape " + Arrays.toString(this.shape) + " is too large");
      }
    }
    if (elements > Integer.MAX_VALUE / dtype.size()
        || elements * dtype.size() != this.data.length) {
      throw new TensorFormatException(
          "tensor '"
              + name
              + "': shape "
              + Arrays.toString(this.shape)
              + " of "
              + dtype
              + " needs "
              + elements * dtype.size()
              + " bytes, data has "
              + this.data.length);
    }
  }

  public static Tensor ofFloat32(String name, long[] shape, float... values) {
    ByteBuffer b = buffer(values.length * 4);
    b.asFloatBuffer().put(values);
    return owning(name, DType.FLOAT32, shape.clone(), b.array());
  }

  public static Tensor ofFloat64(String name, long[] shape, double... values) {
    ByteBuffer b = buffer(values.length * 8);
    b.asDoubleBuffer().put(values);
    return owning(name, DType.FLOAT64, shape.clone(), b.array());
  }

  public static Tensor ofInt32(String name, long[] shape, int... values) {
    ByteBuffer b = buffer(values.length * 4);
    b.asIntBuffer().put(values);
    return owning(name, DType.INT32, shape.clone(), b.array());
  }

  public static Tensor ofInt64(String name, long[] shape, long... values) {
    ByteBuffer b = buffer(values.length * 8);
    b.asLongBuffer().put(values);
    return owning(name, DType.INT64, shape.clone(), b.array());
  }

  public static Tensor ofUint8(String name, long[] shape, byte... values) {
    return new Tensor(name, DType.UINT8, shape, values);
  }

  public static Tensor ofBool(String name, long[] shape, boolean... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) (values[i] ? 1 : 0);
    }
    return owning(name, DType.BOOL, shape.clone(), b);
  }

  public String name() {
    return name;
  }

  public DType dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** The raw data, little-endian, row-major. */
  public byte[] data() {
    return data.clone();
  }

  /** The shape itself, not a copy: for the codec, which only reads it. */
  long[] shapeView() {
    return shape;
  }

  /** The data itself, not a copy: for the codec, which only reads it. */
  byte[] dataView() {
    return data;
  }

  /** Number of elements. */
  public long size() {
    return data.length / dtype.size();
  }

  /** Data as a little-endian buffer, read-only. */
  public ByteBuffer buffer() {
    // asReadOnlyBuffer() forgets the byte order: set it afterwards
    return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  public float[] toFloatArray() {
    require(DType.FLOAT32);
    float[] out = new float[(int) size()];
    buffer().asFloatBuffer().get(out);
    return out;
  }

  public double[] toDoubleArray() {
    require(DType.FLOAT64);
    double[] out = new double[(int) size()];
    buffer().asDoubleBuffer().get(out);
    return out;
  }

  public int[] toIntArray() {
    require(DType.INT32);
    int[] out = new int[(int) size()];
    buffer().asIntBuffer().get(out);
    return out;
  }

  public long[] toLongArray() {
    require(DType.INT64);
    long[] out = new long[(int) size()];
    buffer().asLongBuffer().get(out);
    return out;
  }

  public boolean[] toBooleanArray() {
    require(DType.BOOL);
    boolean[] out = new boolean[data.length];
    for (int i = 0; i < data.length; i++) {
      out[i] = data[i] != 0;
    }
    return out;
  }

  private void require(DType expected) {
    if (dtype != expected) {
      throw new IllegalStateException("tensor '" + name + "' is " + dtype + ", not " + expected);
    }
  }

  private static ByteBuffer buffer(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t
        && name.equals(t.name)
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "Tensor[" + name + " " + dtype + Arrays.toString(shape) + "]";
  }
}
