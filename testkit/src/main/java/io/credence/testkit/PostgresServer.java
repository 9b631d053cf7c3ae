package io.credence.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A PostgreSQL server for tests and the devnet: a configured server when one answers, else an
 * embedded PostgreSQL (a real server binary shipped in a jar) on a port of our choosing.
 */
public final class PostgresServer implements AutoCloseable {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final EmbeddedPostgres embedded;

  private PostgresServer(String host, int port, String user, String password, EmbeddedPostgres embedded) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.embedded = embedded;
  }

  /** The server at host:port if it accepts {@code user}; null when nothing usable answers. */
  public static PostgresServer connectIfReachable(String host, int port, String user, String password) {
    if (!Ports.listening(host, port)) {
      return null;
    }
    PostgresServer s = new PostgresServer(host, port, user, password, null);
    try (Connection c = s.connect("postgres")) {
      c.createStatement().execute("SELECT 1");
      return s;
    } catch (SQLException e) {
      return null;
    }
  }

  /**
   * Starts embedded PostgreSQL.
   *
   * @param port the port to listen on (0 for a free one)
   * @param dataDir where the cluster lives; null for a throw-away one
   */
  public static PostgresServer embedded(int port, Path dataDir) {
    try {
      EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setPort(port == 0 ? Ports.free() : port);
      if (dataDir != null) {
        b.setDataDirectory(dataDir).setCleanDataDirectory(false);
      }
      EmbeddedPostgres pg = b.start();
      return new PostgresServer("127.0.0.1", pg.getPort(), "postgres", "", pg);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start: " + e.getMessage(), e);
    }
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public Connection connect(String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null && !password.isEmpty()) {
      p.setProperty("password", password);
    }
    p.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(jdbcUrl(database), p);
  }

  /** Creates a database unless it exists. */
  public void createDatabase(String name) {
    requireIdentifier(name);
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
      if (!rs.next()) {
        s.execute("CREATE DATABASE " + name);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name + " on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** Drops a database, closing its connections. */
  public void dropDatabase(String name) {
    requireIdentifier(name);
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop database " + name + ": " + e.getMessage(), e);
    }
  }

  static String requireIdentifier(String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain lower-case SQL identifier: " + name);
    }
    return name;
  }

  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
