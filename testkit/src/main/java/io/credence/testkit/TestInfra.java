package io.credence.testkit;

import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.node.KafkaBroker;
import io.credence.devnet.node.PostgresServer;
import io.credence.devnet.postgres.EmbeddedPostgresHost;
import io.credence.devnet.process.Ports;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The test run's shared services: one anvil, one Kafka broker and one PostgreSQL database per test
 * JVM, started on first use on free ports and stopped when the JVM exits.
 *
 * <p>Each service publishes its address as a system property once started. A second class loader in
 * the same JVM (Quarkus tests load classes twice) then attaches instead of starting a second one,
 * and a run can point at services started elsewhere by setting these properties: {@value
 * #ANVIL_URL}, {@value #KAFKA_BOOTSTRAP}, {@value #POSTGRES_URL} (with {@value #POSTGRES_USER} and
 * {@value #POSTGRES_PASSWORD}).
 *
 * <p>PostgreSQL: the server at {@value #POSTGRES_SERVER} (default 127.0.0.1:5432, user postgres) is
 * used when it answers, in a fresh database dropped at the end of the run; otherwise an embedded
 * PostgreSQL is started.
 */
public final class TestInfra {
  public static final String ANVIL_URL = "credence.testkit.anvil.url";
  public static final String KAFKA_BOOTSTRAP = "credence.testkit.kafka.bootstrap";
  public static final String POSTGRES_URL = "credence.testkit.postgres.url";
  public static final String POSTGRES_USER = "credence.testkit.postgres.user";
  public static final String POSTGRES_PASSWORD = "credence.testkit.postgres.password";

  /** host:port of a PostgreSQL server to try before starting an embedded one. */
  public static final String POSTGRES_SERVER = "credence.testkit.postgres.server";

  private static final String RUN_DB_PREFIX = "credence_test_";
  private static final long STALE_RUN_DB_SECONDS = 6 * 3600;

  private static AnvilNode anvil;
  private static KafkaBroker kafka;
  private static PostgresDatabase database;

  private TestInfra() {}

  /** The run's anvil node. */
  public static AnvilNode anvil() {
    synchronized (lock()) {
      if (anvil == null) {
        String url = System.getProperty(ANVIL_URL);
        if (url != null) {
          anvil = AnvilNode.attach(url);
        } else {
          AnvilNode started = AnvilNode.start(AnvilNode.Options.forTests(output()));
          onExit("anvil", started::close);
          System.setProperty(ANVIL_URL, started.rpcUrl());
          anvil = started;
        }
      }
      return anvil;
    }
  }

  /** The run's Kafka broker. */
  public static KafkaBroker kafka() {
    synchronized (lock()) {
      if (kafka == null) {
        String bootstrap = System.getProperty(KAFKA_BOOTSTRAP);
        if (bootstrap != null) {
          kafka = KafkaBroker.attach(bootstrap);
        } else {
          KafkaBroker started = KafkaBroker.start(KafkaBroker.Options.forTests(output()));
          onExit("kafka", started::close);
          System.setProperty(KAFKA_BOOTSTRAP, started.bootstrapServers());
          kafka = started;
        }
      }
      return kafka;
    }
  }

  /** The run's PostgreSQL database (schema {@code public}). */
  public static PostgresDatabase postgres() {
    synchronized (lock()) {
      if (database == null) {
        String url = System.getProperty(POSTGRES_URL);
        if (url != null) {
          database =
              new PostgresDatabase(
                  url,
                  System.getProperty(POSTGRES_USER, "postgres"),
                  System.getProperty(POSTGRES_PASSWORD, ""),
                  "public");
        } else {
          database = startPostgres();
          System.setProperty(POSTGRES_URL, database.jdbcUrl());
          System.setProperty(POSTGRES_USER, database.user());
          System.setProperty(POSTGRES_PASSWORD, database.password());
        }
      }
      return database;
    }
  }

  private static PostgresDatabase startPostgres() {
    String[] hostPort = System.getProperty(POSTGRES_SERVER, "127.0.0.1:5432").split(":");
    String user = System.getProperty("credence.testkit.postgres.server.user", "postgres");
    String password = System.getProperty("credence.testkit.postgres.server.password", "");
    PostgresServer server =
        PostgresServer.connectIfReachable(
            hostPort[0], Integer.parseInt(hostPort[1]), user, password);
    if (server == null) {
      int port = Ports.free();
      server = PostgresServer.owned(port, EmbeddedPostgresHost.start(port, null));
      onExit("embedded PostgreSQL", server::close);
    } else {
      dropStaleRunDatabases(server);
    }
    String name =
        RUN_DB_PREFIX + (System.currentTimeMillis() / 1000) + "_" + ProcessHandle.current().pid();
    server.createDatabase(name);
    if (!server.isOwned()) {
      PostgresServer s = server;
      onExit("test database " + name, () -> s.dropDatabase(name));
    }
    return new PostgresDatabase(server.jdbcUrl(name), server.user(), server.password(), "public");
  }

  /** Drops databases left by test runs that were killed more than six hours ago. */
  private static void dropStaleRunDatabases(PostgresServer server) {
    long now = System.currentTimeMillis() / 1000;
    List<String> stale = new ArrayList<>();
    try (Connection c = server.connect("postgres");
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT datname FROM pg_database WHERE datname LIKE 'credence_test_%'")) {
      while (rs.next()) {
        String[] parts = rs.getString(1).substring(RUN_DB_PREFIX.length()).split("_");
        try {
          if (now - Long.parseLong(parts[0]) > STALE_RUN_DB_SECONDS) {
            stale.add(rs.getString(1));
          }
        } catch (NumberFormatException notOurs) {
          // leave it alone
        }
      }
    } catch (SQLException e) {
      return;
    }
    stale.forEach(server::dropDatabase);
  }

  /** Where the services of this run keep logs and data: {@code target/testkit}. */
  public static Path output() {
    return Path.of("target", "testkit").toAbsolutePath();
  }

  private static Object lock() {
    return System.getProperties();
  }

  private static void onExit(String what, Runnable stop) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    stop.run();
                  } catch (RuntimeException e) {
                    System.err.println("[testkit] stopping " + what + " failed: " + e.getMessage());
                  }
                },
                "testkit-stop-" + what));
  }
}
