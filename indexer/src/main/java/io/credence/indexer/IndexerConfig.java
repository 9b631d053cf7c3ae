package io.credence.indexer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The indexer's configuration. Every key is documented in docs/explorer.md. */
@ConfigMapping(prefix = "credence.indexer")
public interface IndexerConfig {
  /** The InferenceHub (also the RewardVault) whose events are indexed. */
  String hub();

  /** The ModelRegistry whose events are indexed. */
  String modelRegistry();

  /** The WorkerRegistry whose events are indexed. */
  String workerRegistry();

  /**
   * The DisputeCourt whose events are indexed (the deployment manifest's {@code DisputeCourt});
   * absent for a deployment without one.
   */
  java.util.Optional<String> disputeCourt();

  /** The indexer's PostgreSQL schema (Flyway creates it). */
  @WithDefault("indexer")
  String dbSchema();

  /**
   * Directory that relative {@code file:} model URIs resolve against, to find each model's card
   * (the {@code .json} next to its {@code .onnx}) that labels inputs and outputs in the explorer.
   */
  @WithDefault(".")
  String modelFiles();

  Chain chain();

  interface Chain {
    /** First block to read when the index is empty (the deployment block). */
    @WithDefault("0")
    long startBlock();

    /** How many blocks behind the head the index stays. */
    @WithDefault("1")
    int confirmations();

    /** Blocks per eth_getLogs to begin with; doubles on success, halves on provider errors. */
    @WithDefault("100")
    int initialRange();

    @WithDefault("10000")
    int maxRange();

    /**
     * Logs per eth_getLogs (and per committed step) to aim at: a dense stretch is read in smaller
     * ranges.
     */
    @WithDefault("10000")
    int targetLogs();

    /** How often an idle indexer looks for new blocks. */
    @WithDefault("200ms")
    Duration pollInterval();
  }
}
