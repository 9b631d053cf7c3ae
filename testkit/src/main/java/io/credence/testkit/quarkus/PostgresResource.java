package io.credence.testkit.quarkus;

import io.credence.testkit.TestInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Gives a Quarkus application under test the run's PostgreSQL database as its default datasource.
 * The application creates its own schema there (Flyway), as it does in production.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    return TestInfra.postgres().quarkusConfig();
  }

  @Override
  public void stop() {}
}
