package io.credence.testkit.quarkus;

import io.credence.testkit.PostgresDatabase;
import io.credence.testkit.TestInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives a Quarkus application under test the run's PostgreSQL database as its default datasource.
 * The application creates its own schema there (Flyway), as it does in production.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    PostgresDatabase db = TestInfra.postgres();
    Map<String, String> config = new HashMap<>();
    config.put("quarkus.datasource.jdbc.url", db.jdbcUrl());
    config.put("quarkus.datasource.username", db.user());
    if (!db.password().isEmpty()) {
      config.put("quarkus.datasource.password", db.password());
    }
    return config;
  }

  @Override
  public void stop() {}
}
