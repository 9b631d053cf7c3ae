package io.credence.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.devnet.Checkout;
import io.credence.devnet.node.PostgresServer;
import io.credence.devnet.process.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/devnet up|status|down} as a developer runs it, on ports and a data directory of
 * its own, with no PostgreSQL server on its port: the devnet starts anvil, the Kafka broker and
 * embedded PostgreSQL (in a JVM of its own, on the classpath devnet/postgres recorded), reports
 * them, and stops every one of them.
 */
class DevnetScriptIT {
  private final Path root = Checkout.root();

  private record Run(int code, String out) {}

  private Run devnet(Map<String, String> env, Path home, String command) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(List.of("bash", root.resolve("scripts/devnet").toString(), command))
            .directory(root.toFile())
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    Path log = home.resolve("devnet-" + command + "-" + System.nanoTime() + ".out");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(Duration.ofMinutes(4).toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("devnet " + command + " did not finish:\n" + Files.readString(log));
    }
    return new Run(p.exitValue(), Files.readString(log));
  }

  @Test
  void upStatusDownWithEmbeddedPostgres() throws Exception {
    Path home =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target").toAbsolutePath()), "devnet-home");
    int anvil = Ports.free();
    int kafka = Ports.free();
    int controller = Ports.free();
    int postgres = Ports.free();
    Map<String, String> env = new HashMap<>();
    env.put("CREDENCE_HOME", home.toString());
    env.put("CREDENCE_ANVIL_PORT", Integer.toString(anvil));
    env.put("CREDENCE_KAFKA_PORT", Integer.toString(kafka));
    env.put("CREDENCE_KAFKA_CONTROLLER_PORT", Integer.toString(controller));
    env.put("CREDENCE_PG_PORT", Integer.toString(postgres));
    try {
      Run up = devnet(env, home, "up");
      assertThat(up.code()).as(up.out()).isZero();
      assertThat(up.out()).contains("starting embedded PostgreSQL on 127.0.0.1:" + postgres);
      assertThat(PostgresServer.connectIfReachable("127.0.0.1", postgres, "postgres", ""))
          .as("embedded PostgreSQL answers")
          .isNotNull();
      Run status = devnet(env, home, "status");
      assertThat(status.code()).as(status.out()).isZero();
      assertThat(status.out()).doesNotContain("DOWN");
    } finally {
      Run down = devnet(env, home, "down");
      assertThat(down.code()).as(down.out()).isZero();
    }
    for (int port : List.of(anvil, kafka, controller, postgres)) {
      assertThat(Ports.listening(port)).as("port %d closed after down", port).isFalse();
    }
    Run after = devnet(env, home, "status");
    assertThat(after.code()).as(after.out()).isEqualTo(1);
  }
}
