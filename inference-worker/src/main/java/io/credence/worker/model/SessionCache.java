package io.credence.worker.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.credence.protocol.Hashes;
import io.credence.protocol.receipt.FailureReason;
import io.credence.worker.exec.JobFailure;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * A bounded, least-recently-used set of ONNX Runtime sessions, keyed by model hash. Sessions are
 * created with the configured execution provider; when CUDA is asked for and cannot be used, the
 * session falls back to CPU and says so once in the log.
 */
public class SessionCache implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SessionCache.class);

  private final ModelStore store;
  private final int maxSessions;
  private final boolean cuda;
  private final int cudaDevice;
  private final int intraOpThreads;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final Map<String, LoadedModel> sessions = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<String, Object> loading = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile String provider = "none";
  private volatile boolean cudaFallbackLogged;

  public SessionCache(
      ModelStore store, int maxSessions, String provider, int cudaDevice, int intraOpThreads) {
    this.store = store;
    this.maxSessions = Math.max(1, maxSessions);
    this.cuda = "cuda".equalsIgnoreCase(provider);
    this.cudaDevice = cudaDevice;
    this.intraOpThreads = intraOpThreads;
  }

  /** The provider of the last session created ({@code CPU}, {@code CUDA}), for metrics. */
  public String provider() {
    return provider;
  }

  /**
   * The session for the model registered with {@code sha256}, fetched from {@code uri} and loaded
   * when needed. The caller must {@link LoadedModel#release()} it when done: an evicted session is
   * closed only after its last user.
   */
  public LoadedModel load(String uri, byte[] sha256) throws JobFailure {
    String key = Hashes.hex(sha256);
    LoadedModel cached = cached(key);
    if (cached != null) {
      return cached;
    }
    // fetching and loading hold only this model's lock: jobs for other models go on meanwhile
    synchronized (loading.computeIfAbsent(key, k -> new Object())) {
      cached = cached(key);
      if (cached != null) {
        return cached;
      }
      LoadedModel loaded = create(key, store.fetch(uri, sha256));
      loaded.acquire();
      synchronized (this) {
        sessions.put(key, loaded);
        while (sessions.size() > maxSessions) {
          var eldest = sessions.entrySet().iterator().next();
          sessions.remove(eldest.getKey());
          closeQuietly(eldest.getValue());
        }
      }
      return loaded;
    }
  }

  private synchronized LoadedModel cached(String key) {
    LoadedModel m = sessions.get(key);
    return m != null && m.acquire() ? m : null;
  }

  private LoadedModel create(String key, Path file) throws JobFailure {
    try {
      OrtSession.SessionOptions options = options(intraOpThreads);
      String used = "CPU";
      if (cuda) {
        try {
          options.addCUDA(cudaDevice);
          used = "CUDA";
        } catch (OrtException | UnsatisfiedLinkError | IllegalArgumentException e) {
          if (!cudaFallbackLogged) {
            LOG.warnf(
                "CUDA was configured (credence.worker.runtime.provider=cuda) but cannot be used (%s); running on CPU",
                e.getMessage());
            cudaFallbackLogged = true;
          }
        }
      }
      LoadedModel m = new LoadedModel(key, env.createSession(file.toString(), options), used);
      provider = used;
      return m;
    } catch (OrtException e) {
      throw new JobFailure(
          FailureReason.MODEL_LOAD_FAILED,
          "ONNX Runtime cannot load the model: " + e.getMessage(),
          e);
    }
  }

  /**
   * Session options of the worker. ONNX Runtime's intra-op threads spin after each run by default,
   * which takes the cores from the decoding, hashing and signing that follow a run: spinning is
   * off.
   */
  public static OrtSession.SessionOptions options(int intraOpThreads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    options.addConfigEntry("session.intra_op.allow_spinning", "0");
    if (intraOpThreads > 0) {
      options.setIntraOpNumThreads(intraOpThreads);
    }
    return options;
  }

  private static void closeQuietly(LoadedModel m) {
    try {
      m.retire();
    } catch (OrtException e) {
      LOG.warnf("closing the session of model %s failed: %s", m.sha256(), e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    sessions.values().forEach(SessionCache::closeQuietly);
    sessions.clear();
  }
}
