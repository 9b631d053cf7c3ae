package io.credence.testkit.quarkus;

import io.credence.testkit.TestInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Gives a Quarkus application under test the run's Kafka broker as {@code kafka.bootstrap.servers}. */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    return Map.of("kafka.bootstrap.servers", TestInfra.kafka().bootstrapServers());
  }

  @Override
  public void stop() {}
}
