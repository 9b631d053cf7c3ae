package io.credence.devnet;

import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.node.KafkaBroker;
import io.credence.devnet.node.PostgresServer;
import io.credence.devnet.postgres.EmbeddedPostgresHost;
import io.credence.devnet.process.ManagedProcess;
import io.credence.devnet.process.PidFiles;
import io.credence.devnet.process.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local development network behind {@code scripts/devnet up|status|down}: anvil, a Kafka broker
 * and PostgreSQL, on Credence's default ports (anvil 8545, Kafka 9092, PostgreSQL 5432), with data,
 * pid files and logs under {@code .credence/}. Processes run detached and survive this launcher;
 * {@code down} stops them by pid. PostgreSQL is the server already listening on the port when one
 * answers (left alone by {@code down}), else an embedded PostgreSQL hosted by a small detached JVM.
 *
 * <p>Every port and the directory can be changed with environment variables: CREDENCE_HOME,
 * CREDENCE_ANVIL_PORT, CREDENCE_CHAIN_ID, CREDENCE_KAFKA_PORT, CREDENCE_KAFKA_CONTROLLER_PORT,
 * CREDENCE_PG_HOST, CREDENCE_PG_PORT, CREDENCE_PG_USER, CREDENCE_PG_DATABASE.
 */
public final class Devnet {
  private static final String POSTGRES_HOST_MARKER = "-Dcredence.service=devnet-postgres";

  private final Path home;
  private final int anvilPort;
  private final long chainId;
  private final int kafkaPort;
  private final int kafkaControllerPort;
  private final String pgHost;
  private final int pgPort;
  private final String pgUser;
  private final String pgDatabase;
  private final PidFiles pids;

  /**
   * The devnet the environment describes (defaults: the ports above, data in .credence/ of the
   * checkout).
   */
  public static Devnet fromEnvironment() {
    return new Devnet(System.getenv());
  }

  Devnet(Map<String, String> env) {
    String homeVariable = env.get("CREDENCE_HOME");
    this.home =
        (homeVariable == null || homeVariable.isBlank()
                ? Checkout.root().resolve(".credence")
                : Path.of(homeVariable))
            .toAbsolutePath();
    this.anvilPort = Integer.parseInt(env.getOrDefault("CREDENCE_ANVIL_PORT", "8545"));
    this.chainId =
        Long.parseLong(
            env.getOrDefault("CREDENCE_CHAIN_ID", Long.toString(AnvilNode.DEFAULT_CHAIN_ID)));
    this.kafkaPort = Integer.parseInt(env.getOrDefault("CREDENCE_KAFKA_PORT", "9092"));
    this.kafkaControllerPort =
        Integer.parseInt(env.getOrDefault("CREDENCE_KAFKA_CONTROLLER_PORT", "9093"));
    this.pgHost = env.getOrDefault("CREDENCE_PG_HOST", "127.0.0.1");
    this.pgPort = Integer.parseInt(env.getOrDefault("CREDENCE_PG_PORT", "5432"));
    this.pgUser = env.getOrDefault("CREDENCE_PG_USER", "postgres");
    this.pgDatabase = env.getOrDefault("CREDENCE_PG_DATABASE", "credence");
    this.pids = new PidFiles(home);
  }

  /** Where data, logs and pid files live. */
  public Path home() {
    return home;
  }

  public String anvilUrl() {
    return "http://127.0.0.1:" + anvilPort;
  }

  public long chainId() {
    return chainId;
  }

  public String kafkaBootstrap() {
    return "127.0.0.1:" + kafkaPort;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + pgDatabase;
  }

  public String pgUser() {
    return pgUser;
  }

  public static void main(String[] args) {
    Devnet devnet = new Devnet(System.getenv());
    String command = args.length == 0 ? "status" : args[0];
    try {
      int code =
          switch (command) {
            case "up" -> devnet.up();
            case "status" -> devnet.status();
            case "down" -> devnet.down();
            default -> {
              System.err.println("usage: scripts/devnet up|status|down");
              yield 2;
            }
          };
      System.exit(code);
    } catch (RuntimeException e) {
      System.err.println("devnet " + command + " failed: " + e.getMessage());
      System.exit(1);
    }
  }

  // ------------------------------------------------------------------ up

  public int up() {
    mkdirs(logs());
    upAnvil();
    upKafka();
    upPostgres();
    System.out.println();
    return status();
  }

  private void upAnvil() {
    if (running(Service.ANVIL).isPresent()) {
      System.out.println("anvil      already running");
      return;
    }
    requireFreePort("anvil", anvilPort, "CREDENCE_ANVIL_PORT");
    mkdirs(home.resolve("anvil"));
    System.out.println(
        "anvil      starting on 127.0.0.1:" + anvilPort + " (chain " + chainId + ")");
    AnvilNode node =
        AnvilNode.start(
            new AnvilNode.Options(
                anvilPort, chainId, log(Service.ANVIL), home.resolve("anvil/state.json"), true));
    writePid(Service.ANVIL, node.pid());
    node.web3j().shutdown();
  }

  private void upKafka() {
    if (running(Service.KAFKA).isPresent()) {
      System.out.println("kafka      already running");
      return;
    }
    requireFreePort("kafka", kafkaPort, "CREDENCE_KAFKA_PORT");
    requireFreePort("kafka controller", kafkaControllerPort, "CREDENCE_KAFKA_CONTROLLER_PORT");
    System.out.println(
        "kafka      starting on 127.0.0.1:"
            + kafkaPort
            + " (controller "
            + kafkaControllerPort
            + ")");
    KafkaBroker broker =
        KafkaBroker.start(
            new KafkaBroker.Options(
                home.resolve("kafka"), kafkaPort, kafkaControllerPort, log(Service.KAFKA), true));
    writePid(Service.KAFKA, broker.pid());
  }

  private void upPostgres() {
    if (running(Service.POSTGRES).isEmpty()) {
      PostgresServer existing = PostgresServer.connectIfReachable(pgHost, pgPort, pgUser, "");
      if (existing != null) {
        System.out.println(
            "postgres   using the server already at "
                + pgHost
                + ":"
                + pgPort
                + " (not managed by devnet)");
        existing.createDatabase(pgDatabase);
        return;
      }
      requireFreePort("postgres", pgPort, "CREDENCE_PG_PORT");
      System.out.println("postgres   starting embedded PostgreSQL on 127.0.0.1:" + pgPort);
      mkdirs(home.resolve("postgres"));
      List<String> cmd =
          EmbeddedPostgresHost.command(
              Path.of(System.getProperty("java.home"), "bin", "java"),
              List.of(POSTGRES_HOST_MARKER, "-Xmx128m"),
              pgPort,
              home.resolve("postgres/data"));
      ManagedProcess host =
          ManagedProcess.start("postgres", cmd, home, log(Service.POSTGRES), Map.of(), true);
      host.awaitReady(
          Duration.ofSeconds(60),
          () -> PostgresServer.connectIfReachable("127.0.0.1", pgPort, "postgres", "") != null);
      writePid(Service.POSTGRES, host.pid());
    } else {
      System.out.println("postgres   already running (embedded)");
    }
    PostgresServer.connectIfReachable("127.0.0.1", pgPort, "postgres", "")
        .createDatabase(pgDatabase);
  }

  // -------------------------------------------------------------- status

  public int status() {
    List<String> down = new ArrayList<>();
    line(
        "anvil",
        running(Service.ANVIL),
        Ports.listening(anvilPort),
        "http://127.0.0.1:" + anvilPort + " chain " + chainId,
        down);
    line(
        "kafka",
        running(Service.KAFKA),
        Ports.listening(kafkaPort),
        "127.0.0.1:" + kafkaPort,
        down);
    Optional<ProcessHandle> pg = running(Service.POSTGRES);
    boolean pgUp = PostgresServer.connectIfReachable(pgHost, pgPort, pgUser, "") != null;
    String pgWhere =
        "jdbc:postgresql://"
            + pgHost
            + ":"
            + pgPort
            + "/"
            + pgDatabase
            + (pg.isEmpty() && pgUp ? " (external server)" : "");
    line("postgres", pg, pgUp, pgWhere, down);
    System.out.println("data and logs: " + home);
    if (!down.isEmpty()) {
      System.out.println("down: " + String.join(", ", down) + " (start with: scripts/devnet up)");
      return 1;
    }
    return 0;
  }

  private static void line(
      String name,
      Optional<ProcessHandle> process,
      boolean answering,
      String where,
      List<String> down) {
    String state = answering ? "running" : "DOWN";
    String pid = process.map(p -> "pid " + p.pid()).orElse("");
    System.out.printf("%-10s %-8s %-55s %s%n", name, state, where, pid);
    if (!answering) {
      down.add(name);
    }
  }

  // ---------------------------------------------------------------- down

  public int down() {
    boolean clean = true;
    for (Service s : Service.values()) {
      Optional<ProcessHandle> p = running(s);
      if (p.isPresent()) {
        System.out.println(s.label + " stopping (pid " + p.get().pid() + ")");
        ManagedProcess.stop(p.get(), Duration.ofSeconds(30));
      }
      deletePid(s);
    }
    for (var port :
        List.of(
            Map.entry("anvil", anvilPort),
            Map.entry("kafka", kafkaPort),
            Map.entry("kafka controller", kafkaControllerPort))) {
      if (Ports.listening(port.getValue())) {
        System.out.println(
            "still listening: "
                + port.getKey()
                + " port "
                + port.getValue()
                + " (not started by devnet?)");
        clean = false;
      }
    }
    if (PostgresServer.connectIfReachable(pgHost, pgPort, pgUser, "") != null) {
      System.out.println(
          "postgres   the server at "
              + pgHost
              + ":"
              + pgPort
              + " is not managed by devnet; left running");
    }
    System.out.println(
        clean ? "devnet stopped" : "devnet stopped, but some ports are still in use");
    return clean ? 0 : 1;
  }

  // ------------------------------------------------------------- helpers

  /** What devnet starts, with the text its command line must contain (guards against pid reuse). */
  enum Service {
    ANVIL("anvil", "anvil"),
    KAFKA("kafka", KafkaBroker.SERVICE_MARKER),
    POSTGRES("postgres", POSTGRES_HOST_MARKER);

    final String label;
    final String marker;

    Service(String label, String marker) {
      this.label = label;
      this.marker = marker;
    }
  }

  private Optional<ProcessHandle> running(Service s) {
    return pids.running(s.label, s.marker);
  }

  private static void requireFreePort(String what, int port, String variable) {
    if (Ports.listening(port)) {
      throw new IllegalStateException(
          "port "
              + port
              + " for "
              + what
              + " is taken by a process devnet did not start; stop it or set "
              + variable);
    }
  }

  private Path logs() {
    return home.resolve("logs");
  }

  private Path log(Service s) {
    return logs().resolve(s.label + ".log");
  }

  private void writePid(Service s, long pid) {
    pids.write(s.label, pid);
  }

  private void deletePid(Service s) {
    pids.delete(s.label);
  }

  private static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
