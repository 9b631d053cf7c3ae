package io.credence.protocol.tensor;

/** Bytes that are not a canonical tensor encoding, or a tensor that is inconsistent. */
public class TensorFormatException extends IllegalArgumentException {
  public TensorFormatException(String message) {
    super(message);
  }
}
