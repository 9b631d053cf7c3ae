package io.credence.protocol.receipt;

/**
 * Why a worker could not serve a request ({@code uint16 reason} of {@code InferenceFailure}). Every
 * one refunds the requester in full; 0 is reserved for expiry in callbacks.
 */
public enum FailureReason {
  /** The input is not a canonical tensor encoding. */
  BAD_INPUT_ENCODING(1),
  /** Tensor names, types or shapes do not match the model's inputs. */
  INPUT_MISMATCH(2),
  /** The input exceeds the worker's size limits. */
  INPUT_TOO_LARGE(3),
  /** The model file could not be fetched from its URI. */
  MODEL_UNAVAILABLE(4),
  /** The fetched model's SHA-256 differs from the registered one. */
  MODEL_HASH_MISMATCH(5),
  /** ONNX Runtime could not load the model. */
  MODEL_LOAD_FAILED(6),
  /** ONNX Runtime failed while running the model. */
  EXECUTION_FAILED(7),
  /** The output exceeds the size the hub accepts. */
  OUTPUT_TOO_LARGE(8);

  private final int code;

  FailureReason(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static FailureReason ofCode(int code) {
    for (FailureReason r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown failure reason " + code);
  }
}
