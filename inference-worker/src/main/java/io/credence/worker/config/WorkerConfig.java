package io.credence.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The worker's configuration. Every key is documented in docs/worker.md. */
@ConfigMapping(prefix = "credence.worker")
public interface WorkerConfig {
  /**
   * The InferenceHub whose EIP-712 domain receipts are signed under; jobs for another are refused.
   */
  String hub();

  /**
   * The WorkerRegistry the signing key must be active in (checked at start-up and by readiness).
   */
  String workerRegistry();

  /** The signing key. */
  Key key();

  /** Models: where they are fetched from and cached. */
  Models models();

  /** ONNX Runtime. */
  Runtime runtime();

  /** Limits on inputs. */
  Limits limits();

  /** Dynamic batching of concurrent jobs for one model. */
  Batching batching();

  /** The juror role: re-running disputed answers when this worker's key is drawn. */
  Jury jury();

  /** The lying switch, for tests and demos of disputes only: off by default. */
  Lie lie();

  /** Where signed results are kept, so a redelivered job gets the same answer. */
  @WithDefault("target/worker/results")
  String resultsDir();

  /**
   * Force every result to disk before sending it (survives an operating-system crash; costs a disk
   * flush per job). Turn on for models that are not bit-for-bit deterministic (GPU).
   */
  @WithDefault("false")
  boolean resultsFsync();

  interface Key {
    /**
     * The private key as hex. Give it through the environment (CREDENCE_WORKER_KEY_HEX), never on a
     * command line. Ignored when a keystore is set.
     */
    Optional<String> hex();

    /** An encrypted JSON keystore (web3 secret storage). */
    Optional<String> keystore();

    /** The keystore's password, from the environment (CREDENCE_WORKER_KEY_PASSWORD). */
    Optional<String> password();
  }

  interface Models {
    /** Content-addressed cache of model files, named by their SHA-256. */
    @WithDefault("target/worker/models")
    String cacheDir();

    /** Directory that relative and absolute {@code file:} URIs must resolve inside. */
    @WithDefault(".")
    String fileRoot();

    /** Largest model file fetched. */
    @WithDefault("512000000")
    long maxBytes();

    /** Timeout of an http(s) download. */
    @WithDefault("60s")
    Duration fetchTimeout();

    /** ONNX Runtime sessions kept loaded (least recently used are closed). */
    @WithDefault("4")
    int maxSessions();
  }

  interface Runtime {
    /** {@code cpu} or {@code cuda}; cuda falls back to cpu with a log line when unavailable. */
    @WithDefault("cpu")
    String provider();

    /** CUDA device id. */
    @WithDefault("0")
    int cudaDevice();

    /** Threads inside one operator; 0 lets ONNX Runtime choose. */
    @WithDefault("0")
    int intraOpThreads();
  }

  interface Batching {
    /** Most jobs in one session.run; 1 turns batching off. */
    @WithDefault("64")
    int maxBatch();

    /** How long the first job of a batch waits for others. */
    @WithDefault("2ms")
    Duration maxWait();
  }

  interface Limits {
    /** Largest input accepted, in bytes of canonical encoding. */
    @WithDefault("1048576")
    int maxInputBytes();

    /** Most elements in one input tensor. */
    @WithDefault("4194304")
    long maxInputElements();
  }

  interface Jury {
    /**
     * The consumer group of the juries channel; by default {@code credence-jurors-<signer address
     * in lower case>}, a group of its own, so that every worker reads every jury job.
     */
    Optional<String> groupId();
  }

  interface Lie {
    /**
     * Share of requests this worker signs a wrong output for, 0 (never) to 1 (always), decided per
     * request and key so a request always gets the same answer. Tests and demos only.
     */
    @WithDefault("0")
    double rate();

    /**
     * Lie by one unit in the last place of each float (within a close tolerance) instead of far.
     */
    @WithDefault("false")
    boolean withinTolerance();
  }
}
