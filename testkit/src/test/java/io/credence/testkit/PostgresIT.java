package io.credence.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.testkit.junit.WithPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

@WithPostgres
class PostgresIT {

  @Test
  void aRowIsWrittenAndReadBack(PostgresDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      c.createStatement().execute("CREATE TABLE receipt (request_id bigint PRIMARY KEY, output_hash bytea NOT NULL)");
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO receipt VALUES (?, ?)")) {
        insert.setLong(1, 42);
        insert.setBytes(2, new byte[] {1, 2, 3});
        assertThat(insert.executeUpdate()).isEqualTo(1);
      }
      try (ResultSet rs = c.createStatement().executeQuery("SELECT request_id, output_hash FROM receipt")) {
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
    try (PostgresServer embedded = PostgresServer.embedded(0, null);
        Connection c = embedded.connect("postgres");
        ResultSet rs = c.createStatement().executeQuery("SHOW server_version")) {
      assertThat(embedded.isEmbedded()).isTrue();
      rs.next();
      assertThat(rs.getString(1)).isNotBlank();
    }
  }
}
