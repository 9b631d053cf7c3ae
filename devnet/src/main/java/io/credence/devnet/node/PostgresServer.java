package io.credence.devnet.node;

import io.credence.devnet.process.Ports;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A PostgreSQL server the devnet and the tests use: where it is, who to connect as, and the few
 * administrative statements they need (create and drop a database). When this process started the
 * server itself (an embedded PostgreSQL in a test JVM), {@link #close} stops it.
 */
public final class PostgresServer implements AutoCloseable {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final AutoCloseable owned;

  private PostgresServer(String host, int port, String user, String password, AutoCloseable owned) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.owned = owned;
  }

  /** The server at host:port if it accepts {@code user}; null when nothing usable answers. */
  public static PostgresServer connectIfReachable(
      String host, int port, String user, String password) {
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

  /** A server this process started and stops on {@link #close} (user postgres, no password). */
  public static PostgresServer owned(int port, AutoCloseable server) {
    return new PostgresServer("127.0.0.1", port, "postgres", "", server);
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

  /** True when this process started the server (and {@link #close} stops it). */
  public boolean isOwned() {
    return owned != null;
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
      throw new IllegalStateException(
          "could not create database " + name + " on " + host + ":" + port + ": " + e.getMessage(),
          e);
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

  public static String requireIdentifier(String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain lower-case SQL identifier: " + name);
    }
    return name;
  }

  @Override
  public void close() {
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        throw new IllegalStateException(
            "PostgreSQL on port " + port + " did not stop: " + e.getMessage(), e);
      }
    }
  }
}
