package io.credence.worker.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.List;
import java.util.Map;

/**
 * An ONNX Runtime session for one model file, with its input and output descriptions and the
 * execution provider it runs on.
 */
public final class LoadedModel implements AutoCloseable {
  private final String sha256;
  private final OrtSession session;
  private final Map<String, NodeInfo> inputs;
  private final Map<String, NodeInfo> outputs;
  private final List<String> outputNames;
  private final String provider;
  private int users;
  private boolean retired;

  LoadedModel(String sha256, OrtSession session, String provider) throws OrtException {
    this.sha256 = sha256;
    this.session = session;
    this.inputs = session.getInputInfo();
    this.outputs = session.getOutputInfo();
    this.outputNames = List.copyOf(session.getOutputNames());
    this.provider = provider;
  }

  public String sha256() {
    return sha256;
  }

  public OrtSession session() {
    return session;
  }

  public Map<String, NodeInfo> inputs() {
    return inputs;
  }

  public Map<String, NodeInfo> outputs() {
    return outputs;
  }

  /** Output names in the model's order: the order of tensors in the canonical output. */
  public List<String> outputNames() {
    return outputNames;
  }

  /** {@code CPU} or {@code CUDA}. */
  public String provider() {
    return provider;
  }

  /** Marks one more user; false when the session was retired (load it again). */
  synchronized boolean acquire() {
    if (retired) {
      return false;
    }
    users++;
    return true;
  }

  /** Ends a use; closes the session when it was retired and this was its last user. */
  public synchronized void release() throws OrtException {
    users--;
    if (retired && users == 0) {
      session.close();
    }
  }

  /** Evicted from the cache: closes now if unused, else when the last user releases it. */
  synchronized void retire() throws OrtException {
    retired = true;
    if (users == 0) {
      session.close();
    }
  }

  @Override
  public void close() throws OrtException {
    retire();
  }
}
