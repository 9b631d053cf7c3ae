package io.credence.protocol.messages;

/**
 * Kafka topics of the protocol (docs/protocol.md, "Kafka messages"). The consumer groups are
 * configuration of each service: {@code credence-workers} for jobs, {@code credence-relayer} for
 * results and verdicts, and one group per worker key for jury jobs ({@code credence-jurors-<key>}),
 * so every worker reads every one.
 */
public final class Topics {
  /** Relayer to workers: {@link JobMessage}, keyed by modelId. */
  public static final String JOBS = "credence.jobs.v1";

  /** Workers to relayer: {@link ResultMessage}, keyed by requestId. */
  public static final String RESULTS = "credence.results.v1";

  /** Relayer to jurors: {@link JuryMessage}, keyed by disputeId; every worker reads every one. */
  public static final String JURIES = "credence.juries.v1";

  /** Jurors to relayer: {@link VerdictMessage}, keyed by disputeId. */
  public static final String VERDICTS = "credence.verdicts.v1";

  private Topics() {}

  /** The dead-letter topic of {@code topic}. */
  public static String deadLetter(String topic) {
    return topic + ".dlq";
  }
}
