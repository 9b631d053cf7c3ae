package io.credence.localnet;

import io.credence.devnet.Checkout;
import io.credence.devnet.Devnet;
import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.process.ManagedProcess;
import io.credence.devnet.process.PidFiles;
import io.credence.devnet.process.Ports;
import io.credence.protocol.chain.ContractErrors;
import io.credence.protocol.deploy.DeploymentManifest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/**
 * {@code scripts/credence up|down|status}: the whole Credence network on this machine. {@code up}
 * starts the devnet (anvil, Kafka, PostgreSQL), deploys the contracts once (recorded in {@code
 * deployments/<chainId>.json}), registers the demo datasets and model and a staked worker once,
 * starts the worker, the relayer and the indexer as detached processes (pid files and logs under
 * {@code .credence/}), waits until all are ready and prints where to look. What already runs or is
 * already registered is left as it is, so a second {@code up} only checks.
 *
 * <p>Local keys: anvil's public development accounts (deployer 0, model author 1, data providers 2
 * and 5, worker operator 3, relayer 6) and a worker signing key derived from a fixed phrase. They
 * hold only local test ether; never use them on a real network.
 */
public final class Launcher {
  /** A service: its name, module, HTTP port. */
  record Service(String name, String module, int port) {
    String marker() {
      return "-Dcredence.service=" + name;
    }
  }

  static final List<Service> SERVICES =
      List.of(
          new Service("worker", "inference-worker", port("CREDENCE_WORKER_PORT", 8083)),
          new Service("juror-1", "inference-worker", port("CREDENCE_JUROR_1_PORT", 8084)),
          new Service("juror-2", "inference-worker", port("CREDENCE_JUROR_2_PORT", 8085)),
          new Service("relayer", "relayer", port("CREDENCE_RELAYER_PORT", 8081)),
          new Service("indexer", "indexer", port("CREDENCE_INDEXER_PORT", 8082)));

  private static int port(String variable, int defaultPort) {
    String v = System.getenv(variable);
    return v == null || v.isBlank() ? defaultPort : Integer.parseInt(v.trim());
  }

  /**
   * Where deployment manifests are written and read: $CREDENCE_DEPLOYMENTS, else deployments/ in
   * the checkout.
   */
  private Path deployments() {
    String v = System.getenv("CREDENCE_DEPLOYMENTS");
    return v == null || v.isBlank() ? root().resolve("deployments") : Path.of(v).toAbsolutePath();
  }

  /** The demo model and its datasets: $CREDENCE_DEMO_MODELS, else models/demo in the checkout. */
  private Path demoModels() {
    String v = System.getenv("CREDENCE_DEMO_MODELS");
    return v == null || v.isBlank() ? DemoSetup.files(root()) : Path.of(v).toAbsolutePath();
  }

  static Service service(String name) {
    return SERVICES.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  // The devnet and the checkout are looked up on first use: the deploy step of the container
  // images runs without either.
  private Devnet devnet;
  private Path root;
  private PidFiles pids;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Devnet devnet() {
    if (devnet == null) {
      devnet = Devnet.fromEnvironment();
    }
    return devnet;
  }

  private PidFiles pids() {
    if (pids == null) {
      pids = new PidFiles(devnet().home());
    }
    return pids;
  }

  private NetworkDeployment deployment() {
    return new NetworkDeployment(deployments(), demoModels());
  }

  private Path root() {
    if (root == null) {
      root = Checkout.root();
    }
    return root;
  }

  public static void main(String[] args) {
    Launcher l = new Launcher();
    String command = args.length == 0 ? "status" : args[0];
    try {
      int code =
          switch (command) {
            case "up" -> l.up();
            case "down" -> l.down();
            case "status" -> l.status();
            case "demo" -> l.demo(java.util.Arrays.asList(args).contains("--liar"));
            case "deploy" -> l.deployment().composeDeployStep();
            default -> {
              System.err.println(
                  "usage: scripts/credence up|demo [--liar]|status|logs|down (deploy: the deploy step of the container images)");
              yield 2;
            }
          };
      System.exit(code);
    } catch (Exception e) {
      // a revert names the contract's custom error with its arguments, not its selector
      System.err.println("credence " + command + " failed: " + ContractErrors.describe(e));
      System.exit(1);
    }
  }

  int up() throws Exception {
    if (devnet().up() != 0) {
      return 1;
    }
    AnvilNode anvil = AnvilNode.attach(devnet().anvilUrl());
    DeploymentManifest deployment = deployment().deploy(anvil);
    deployment().register(anvil, deployment);
    for (Service s : SERVICES) {
      start(s, deployment);
    }
    System.out.println();
    for (Service s : SERVICES) {
      awaitReady(s);
    }
    System.out.println();
    System.out.println("Credence is up on chain " + deployment.chainId() + ":");
    int indexer = service("indexer").port();
    int relayer = service("relayer").port();
    int worker = service("worker").port();
    System.out.println("  explorer        http://127.0.0.1:" + indexer + "/");
    System.out.println(
        "  indexer API     http://127.0.0.1:" + indexer + "/v1/stats   (OpenAPI: /q/openapi)");
    System.out.println(
        "  relayer API     http://127.0.0.1:"
            + relayer
            + "/v1/requests/{id}   (OpenAPI: /q/openapi; admin token in "
            + adminTokenFile()
            + ")");
    System.out.println("  worker          http://127.0.0.1:" + worker + "/q/health");
    System.out.println(
        "  metrics         /q/metrics on each of " + relayer + ", " + indexer + ", " + worker);
    System.out.println(
        "  chain           "
            + devnet().anvilUrl()
            + "   contracts: "
            + DeploymentManifest.file(deployments(), deployment.chainId()));
    System.out.println(
        "  logs            scripts/credence logs [worker|juror-1|juror-2|relayer|indexer|anvil|kafka|postgres]");
    System.out.println("  stop            scripts/credence down");
    return 0;
  }

  private void start(Service s, DeploymentManifest d) throws IOException {
    if (pids().running(s.name(), s.marker()).isPresent()) {
      System.out.printf("%-10s already running%n", s.name());
      return;
    }
    if (Ports.listening(s.port())) {
      throw new IllegalStateException(
          "port "
              + s.port()
              + " for the "
              + s.name()
              + " is taken by a process credence did not start");
    }
    Path jar = root().resolve(s.module()).resolve("target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          jar + " is missing: scripts/credence builds it; run it again");
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                s.marker(),
                "-Xmx512m"));
    Map<String, String> props = new java.util.LinkedHashMap<>();
    props.put("credence.chain.rpc-url", devnet().anvilUrl());
    props.put("credence.chain.id", Long.toString(d.chainId()));
    props.put("quarkus.http.port", Integer.toString(s.port()));
    Map<String, String> env = new java.util.HashMap<>();
    String hub = d.address(DeploymentManifest.INFERENCE_HUB);
    switch (s.name()) {
      case "worker", "juror-1", "juror-2" -> {
        Credentials key =
            switch (s.name()) {
              case "juror-1" -> DemoSetup.JUROR_KEYS.get(0);
              case "juror-2" -> DemoSetup.JUROR_KEYS.get(1);
              default -> DemoSetup.WORKER_KEY;
            };
        cmd.addAll(
            List.of(
                "--enable-native-access=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED"));
        props.put("kafka.bootstrap.servers", devnet().kafkaBootstrap());
        props.put("credence.worker.hub", hub);
        props.put("credence.worker.worker-registry", d.address(DeploymentManifest.WORKER_REGISTRY));
        props.put("credence.worker.models.file-root", demoModels().toString());
        props.put(
            "credence.worker.models.cache-dir",
            devnet().home().resolve(s.name() + "/models").toString());
        props.put(
            "credence.worker.results-dir",
            devnet().home().resolve(s.name() + "/results").toString());
        env.put(
            "CREDENCE_WORKER_KEY_HEX",
            Numeric.toHexStringNoPrefixZeroPadded(key.getEcKeyPair().getPrivateKey(), 64));
      }
      case "relayer" -> {
        props.put("kafka.bootstrap.servers", devnet().kafkaBootstrap());
        chainAndDatabase(props, "credence.relayer", hub, d);
        // the relayer draws audits, relays verdicts and resolves disputes in the court
        props.put("credence.relayer.court", d.address(DeploymentManifest.DISPUTE_COURT));
        env.put(
            "CREDENCE_RELAYER_KEY_HEX",
            Numeric.toHexStringNoPrefixZeroPadded(
                DemoSetup.RELAYER.getEcKeyPair().getPrivateKey(), 64));
        env.put("CREDENCE_RELAYER_ADMIN_TOKEN", adminToken());
      }
      default -> {
        chainAndDatabase(props, "credence.indexer", hub, d);
        props.put("credence.indexer.dispute-court", d.address(DeploymentManifest.DISPUTE_COURT));
        // the model cards beside the demo's files, to label inputs and outputs in the explorer
        props.put("credence.indexer.model-files", demoModels().toString());
      }
    }
    props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.addAll(List.of("-jar", jar.toString()));
    Path log = devnet().home().resolve("logs").resolve(s.name() + ".log");
    Files.createDirectories(log.getParent());
    ManagedProcess p = ManagedProcess.start(s.name(), cmd, devnet().home(), log, env, true);
    pids().write(s.name(), p.pid());
    System.out.printf("%-10s starting on 127.0.0.1:%d (log %s)%n", s.name(), s.port(), log);
  }

  /** The relayer's and the indexer's contracts, start block and database, under {@code prefix}. */
  private void chainAndDatabase(
      Map<String, String> props, String prefix, String hub, DeploymentManifest d) {
    props.put(prefix + ".hub", hub);
    props.put(prefix + ".worker-registry", d.address(DeploymentManifest.WORKER_REGISTRY));
    props.put(prefix + ".model-registry", d.address(DeploymentManifest.MODEL_REGISTRY));
    props.put(prefix + ".chain.start-block", Long.toString(d.startBlock()));
    props.put("quarkus.datasource.jdbc.url", devnet().jdbcUrl());
    props.put("quarkus.datasource.username", devnet().pgUser());
  }

  private void awaitReady(Service s) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (ready(s)) {
        System.out.printf("%-10s ready%n", s.name());
        return;
      }
      if (pids().running(s.name(), s.marker()).isEmpty()) {
        throw new IllegalStateException(
            "the "
                + s.name()
                + " stopped while starting; see "
                + devnet().home().resolve("logs/" + s.name() + ".log"));
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        "the "
            + s.name()
            + " is not ready after 120 s; see "
            + devnet().home().resolve("logs/" + s.name() + ".log"));
  }

  private boolean ready(Service s) {
    try {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/q/health/ready"))
              .timeout(Duration.ofSeconds(3))
              .build();
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  int demo(boolean liar) throws Exception {
    for (Service s : SERVICES) {
      if (!ready(s)) {
        System.err.println(
            "the "
                + s.name()
                + " is not running: start the network first with scripts/credence up");
        return 1;
      }
    }
    AnvilNode anvil = AnvilNode.attach(devnet().anvilUrl());
    DeploymentManifest d =
        DeploymentManifest.read(DeploymentManifest.file(deployments(), anvil.chainId()));
    DemoRun demo =
        new DemoRun(
            anvil,
            d,
            demoModels(),
            devnet().home(),
            "http://127.0.0.1:" + service("indexer").port(),
            "http://127.0.0.1:" + service("relayer").port());
    int code = demo.run();
    if (code != 0 || !liar) {
      return code;
    }
    return demo.lie(
        "http://127.0.0.1:" + service("relayer").port(), adminToken(), devnet().kafkaBootstrap());
  }

  int status() {
    int code = devnet().status();
    for (Service s : SERVICES) {
      Optional<ProcessHandle> p = pids().running(s.name(), s.marker());
      boolean up = ready(s);
      System.out.printf(
          "%-10s %-8s %-55s %s%n",
          s.name(),
          up ? "ready" : "DOWN",
          "http://127.0.0.1:" + s.port(),
          p.map(h -> "pid " + h.pid()).orElse(""));
      if (!up) {
        code = 1;
      }
    }
    return code;
  }

  int down() {
    for (Service s : SERVICES.reversed()) {
      Optional<ProcessHandle> p = pids().running(s.name(), s.marker());
      if (p.isPresent()) {
        System.out.printf("%-10s stopping (pid %d)%n", s.name(), p.get().pid());
        ManagedProcess.stop(p.get(), Duration.ofSeconds(30));
      }
      pids().delete(s.name());
    }
    return devnet().down();
  }

  private Path adminTokenFile() {
    return devnet().home().resolve("relayer-admin-token");
  }

  /** The relayer's admin token: made once, kept in a file only this user can read. */
  private String adminToken() throws IOException {
    Path file = adminTokenFile();
    if (!Files.exists(file)) {
      byte[] secret = new byte[24];
      new SecureRandom().nextBytes(secret);
      // created readable by this user only, before the secret is written into it
      try {
        Files.createFile(
            file,
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file); // not a POSIX file system: the file stays as created
      }
      Files.writeString(file, HexFormat.of().formatHex(secret));
    }
    return Files.readString(file).trim();
  }
}
