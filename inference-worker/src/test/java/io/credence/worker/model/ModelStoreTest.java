package io.credence.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.credence.protocol.Hashes;
import io.credence.protocol.receipt.FailureReason;
import io.credence.worker.exec.JobFailure;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files over http(s): fetched once, checked, cached by hash; failures say why. */
class ModelStoreTest {
  @TempDir Path dir;

  @Test
  void fetchesOverHttpOnceAndServesFromTheCache() throws Exception {
    byte[] model = "pretend onnx bytes".getBytes();
    AtomicInteger hits = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/models/m.onnx",
        x -> {
          hits.incrementAndGet();
          x.sendResponseHeaders(200, model.length);
          x.getResponseBody().write(model);
          x.close();
        });
    server.createContext(
        "/models/missing.onnx",
        x -> {
          x.sendResponseHeaders(404, -1);
          x.close();
        });
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/models/";
      ModelStore store = new ModelStore(dir.resolve("cache"), dir, 1_000, Duration.ofSeconds(5));
      Path file = store.fetch(base + "m.onnx", Hashes.sha256(model));
      assertThat(Files.readAllBytes(file)).isEqualTo(model);
      assertThat(file.getFileName().toString())
          .isEqualTo(Hashes.hex(Hashes.sha256(model)).substring(2) + ".onnx");
      store.fetch(base + "m.onnx", Hashes.sha256(model));
      assertThat(hits).as("the second fetch is served from the cache").hasValue(1);

      assertThatThrownBy(() -> store.fetch(base + "missing.onnx", new byte[32]))
          .isInstanceOfSatisfying(
              JobFailure.class,
              f -> assertThat(f.reason()).isEqualTo(FailureReason.MODEL_UNAVAILABLE))
          .hasMessageContaining("HTTP 404");
      ModelStore tiny = new ModelStore(dir.resolve("cache2"), dir, 5, Duration.ofSeconds(5));
      assertThatThrownBy(() -> tiny.fetch(base + "m.onnx", Hashes.sha256(model)))
          .hasMessageContaining("larger than 5 bytes");
    } finally {
      server.stop(0);
    }
  }
}
