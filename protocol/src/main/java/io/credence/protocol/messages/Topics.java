package io.credence.protocol.messages;

/** Kafka topics of the protocol (DESIGN.md). */
public final class Topics {
  /** Relayer to workers, keyed by modelId; consumer group {@value #WORKER_GROUP}. */
  public static final String JOBS = "credence.jobs.v1";
  /** Workers to relayer, keyed by requestId; consumer group {@value #RELAYER_GROUP}. */
  public static final String RESULTS = "credence.results.v1";

  public static final String WORKER_GROUP = "credence-workers";
  public static final String RELAYER_GROUP = "credence-relayer";

  private Topics() {}

  /** The dead-letter topic of {@code topic}. */
  public static String deadLetter(String topic) {
    return topic + ".dlq";
  }
}
