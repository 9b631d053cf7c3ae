package io.credence.testkit.junit;

import io.credence.devnet.node.KafkaBroker;

/** Topic names private to one test class: {@code <base>.<class>-<random>}. */
public final class KafkaTopics {
  private final KafkaBroker broker;
  private final String suffix;

  KafkaTopics(KafkaBroker broker, String suffix) {
    this.broker = broker;
    this.suffix = suffix;
  }

  /** This class's name for topic {@code base}. */
  public String name(String base) {
    return base + "." + suffix;
  }

  /**
   * Creates this class's topic {@code base} with {@code partitions} partitions; returns its name.
   */
  public String create(String base, int partitions) {
    String name = name(base);
    broker.createTopics(partitions, name);
    return name;
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }
}
