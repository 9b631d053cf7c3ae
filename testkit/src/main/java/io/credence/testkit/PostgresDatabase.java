package io.credence.testkit;

import io.credence.devnet.node.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One database (and optionally one schema in it) that a test may use.
 *
 * @param jdbcUrl JDBC URL, with {@code currentSchema} set when the database is a per-class schema
 * @param user user name
 * @param password password, empty for trust authentication
 * @param schema the schema tests should use, or {@code public}
 */
public record PostgresDatabase(String jdbcUrl, String user, String password, String schema) {
  /** This database as a Quarkus application's default datasource. */
  public java.util.Map<String, String> quarkusConfig() {
    java.util.Map<String, String> config = new java.util.HashMap<>();
    config.put("quarkus.datasource.jdbc.url", jdbcUrl);
    config.put("quarkus.datasource.username", user);
    if (!password.isEmpty()) {
      config.put("quarkus.datasource.password", password);
    }
    return config;
  }

  /**
   * A data source on this database whose connections use {@code schema}, batched inserts rewritten.
   */
  public javax.sql.DataSource dataSource(String schema) {
    org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
    ds.setURL(jdbcUrl);
    ds.setUser(user);
    if (!password.isEmpty()) {
      ds.setPassword(password);
    }
    ds.setCurrentSchema(schema);
    ds.setReWriteBatchedInserts(true);
    return ds;
  }

  public Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null && !password.isEmpty()) {
      p.setProperty("password", password);
    }
    return DriverManager.getConnection(jdbcUrl, p);
  }

  /** The same database, with {@code schema} as the default schema of every connection. */
  public PostgresDatabase withSchema(String schema) {
    PostgresServer.requireIdentifier(schema);
    String base = jdbcUrl.replaceAll("[?&]currentSchema=[^&]*", "");
    return new PostgresDatabase(
        base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema,
        user,
        password,
        schema);
  }
}
