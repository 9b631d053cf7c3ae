package io.credence.worker.exec;

import io.credence.protocol.receipt.FailureReason;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.protocol.tensor.TensorFormatException;
import io.credence.worker.model.LoadedModel;
import io.credence.worker.model.SessionCache;
import java.util.List;
import java.util.Map;

/**
 * The one way the worker runs a registered model on a request's input, shared by jobs and juries so
 * that a juror re-runs a disputed answer exactly as it would have answered it: the input must be
 * the canonical tensor encoding within the size limit, the model file is fetched by URI and refused
 * unless its SHA-256 is the registered one, the inputs are checked against the model, and the run
 * goes through the batcher. Every way this can fail is a {@link JobFailure} with its reason.
 */
public final class ModelRunner {
  private final SessionCache sessions;
  private final InferenceEngine engine;
  private final Batcher batcher;
  private final int maxInputBytes;

  public ModelRunner(
      SessionCache sessions, InferenceEngine engine, Batcher batcher, int maxInputBytes) {
    this.sessions = sessions;
    this.engine = engine;
    this.batcher = batcher;
    this.maxInputBytes = maxInputBytes;
  }

  /**
   * The canonical encoding of the model's outputs for {@code input}.
   *
   * @param timings told, in milliseconds, {@code loadMs} (fetch and load the model), {@code
   *     queueMs} (wait for a batch) and {@code runMs} (run and encode), as far as the run got
   */
  public byte[] run(String modelUri, byte[] modelHash, byte[] input, Map<String, Long> timings)
      throws JobFailure {
    if (input.length > maxInputBytes) {
      throw new JobFailure(
          FailureReason.INPUT_TOO_LARGE,
          "input is " + input.length + " bytes, more than " + maxInputBytes);
    }
    List<Tensor> tensors;
    try {
      tensors = TensorCodec.decode(input);
    } catch (TensorFormatException | ArithmeticException e) {
      throw new JobFailure(
          FailureReason.BAD_INPUT_ENCODING,
          "input is not the canonical tensor encoding: " + e.getMessage());
    }
    long fetchStart = System.nanoTime();
    LoadedModel model = sessions.load(modelUri, modelHash);
    try {
      timings.put("loadMs", millis(fetchStart));
      engine.validate(model, tensors);
      long runStart = System.nanoTime();
      long[] queued = {0};
      byte[] output = TensorCodec.encode(batcher.run(model, tensors, nanos -> queued[0] = nanos));
      long ran = System.nanoTime() - runStart;
      timings.put("queueMs", queued[0] / 1_000_000);
      timings.put("runMs", (ran - queued[0]) / 1_000_000);
      return output;
    } finally {
      release(model);
    }
  }

  private static void release(LoadedModel model) {
    try {
      model.release();
    } catch (ai.onnxruntime.OrtException e) {
      // closing a retired session failed; nothing else depends on it
    }
  }

  private static long millis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
