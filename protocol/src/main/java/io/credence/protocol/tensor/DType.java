package io.credence.protocol.tensor;

/** Tensor element types and their codes in the canonical encoding (docs/protocol.md). */
public enum DType {
  FLOAT32(1, 4),
  FLOAT64(2, 8),
  INT32(3, 4),
  INT64(4, 8),
  UINT8(5, 1),
  BOOL(6, 1);

  private final int code;
  private final int size;

  DType(int code, int size) {
    this.code = code;
    this.size = size;
  }

  /** The code in the encoding ({@code uint8 dtype}). */
  public int code() {
    return code;
  }

  /** Bytes per element. */
  public int size() {
    return size;
  }

  public static DType ofCode(int code) {
    for (DType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new TensorFormatException("unknown dtype code " + code + " (valid: 1 float32 .. 6 bool)");
  }
}
