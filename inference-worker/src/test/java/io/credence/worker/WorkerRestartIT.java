package io.credence.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.devnet.process.ManagedProcess;
import io.credence.devnet.process.Ports;
import io.credence.models.BenchMlp;
import io.credence.protocol.Hashes;
import io.credence.protocol.messages.JobMessage;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.ResultMessage;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.testkit.TestInfra;
import io.credence.testkit.junit.KafkaTopics;
import io.credence.testkit.junit.WithKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The packaged worker as a real process: killed (SIGKILL) in the middle of a stream of jobs and
 * started again, it answers every job, and never two different outputs for one request.
 */
@WithKafka
class WorkerRestartIT {
  private static final String HUB = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
  private final ObjectMapper json = ProtocolJson.mapper();

  @Test
  void aKilledWorkerRestartsWithoutLosingJobsOrChangingAnswers(KafkaTopics topics)
      throws Exception {
    String jobs = topics.create("credence.jobs.v1", 3);
    String results = topics.create("credence.results.v1", 3);
    Path dir =
        Files.createDirectories(
            Path.of("target", "worker-restart-" + UUID.randomUUID()).toAbsolutePath());
    byte[] model = BenchMlp.build(new int[] {64, 256, 256, 8}, 5);
    Files.write(dir.resolve("m.onnx"), model);

    int n = 300;
    try (var producer = producer()) {
      for (int i = 1; i <= n; i++) {
        producer.send(new ProducerRecord<>(jobs, "1", json.writeValueAsString(job(i, model))));
      }
    }

    Map<Long, Set<String>> outputs = new HashMap<>();
    ManagedProcess worker = start(dir, jobs, results, "first");
    try (KafkaConsumer<String, String> consumer = consumer(results)) {
      collect(consumer, outputs, n / 4, Duration.ofSeconds(90)); // some answered, most not
      ManagedProcess.stop(
          ProcessHandle.of(worker.pid()).orElseThrow(), Duration.ZERO); // SIGKILL-like: no grace
      int beforeKill = outputs.size();
      assertThat(beforeKill).isLessThan(n);
      worker = start(dir, jobs, results, "second");
      collect(consumer, outputs, n, Duration.ofSeconds(120));
    } finally {
      worker.stop(Duration.ofSeconds(10));
    }
    assertThat(outputs).as("a result for every job").hasSize(n);
    assertThat(outputs.values())
        .as("never two different outputs for one request")
        .allMatch(s -> s.size() == 1);
  }

  private void collect(
      KafkaConsumer<String, String> consumer,
      Map<Long, Set<String>> outputs,
      int until,
      Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (outputs.size() < until && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
        ResultMessage m = json.readValue(r.value(), ResultMessage.class);
        assertThat(m.status()).isEqualTo(ResultMessage.Status.OK);
        outputs.computeIfAbsent(m.requestId(), k -> new HashSet<>()).add(m.outputHash());
      }
    }
  }

  private ManagedProcess start(Path dir, String jobs, String results, String name) {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    assertThat(jar).as("the packaged worker (mvn package)").exists();
    Map<String, String> env = new HashMap<>();
    env.put(
        "CREDENCE_WORKER_KEY_HEX",
        "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "--enable-native-access=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "-Dquarkus.http.port=" + Ports.free(),
                "-Dkafka.bootstrap.servers=" + TestInfra.kafka().bootstrapServers(),
                "-Dmp.messaging.incoming.jobs.topic=" + jobs,
                "-Dmp.messaging.incoming.jobs.group.id=restart-" + dir.getFileName(),
                "-Dmp.messaging.incoming.jobs.session.timeout.ms=6000",
                "-Dmp.messaging.incoming.jobs.heartbeat.interval.ms=1000",
                "-Dmp.messaging.outgoing.results.topic=" + results,
                "-Dcredence.chain.rpc-url=" + TestInfra.anvil().rpcUrl(),
                "-Dcredence.worker.hub=" + HUB,
                "-Dcredence.worker.worker-registry=0x0000000000000000000000000000000000000001",
                "-Dcredence.worker.models.file-root=" + dir,
                "-Dcredence.worker.models.cache-dir=" + dir.resolve("cache"),
                "-Dcredence.worker.results-dir=" + dir.resolve("results"),
                "-jar",
                jar.toString()));
    return ManagedProcess.start(
        "worker-" + name, cmd, dir, dir.resolve("worker-" + name + ".log"), env, false);
  }

  private JobMessage job(long id, byte[] model) {
    float[] x = new float[64];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(id * 31 + i);
    }
    byte[] input =
        TensorCodec.encode(List.of(Tensor.ofFloat32(BenchMlp.INPUT, new long[] {1, 64}, x)));
    return new JobMessage(
        id,
        31337,
        HUB,
        1,
        Hashes.hex(Hashes.sha256(model)),
        "file:m.onnx",
        Base64.getEncoder().encodeToString(input),
        Hashes.hex(Hashes.keccak256(input)),
        1,
        0,
        1);
  }

  private static KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.kafka().bootstrapServers(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
  }

  private static KafkaConsumer<String, String> consumer(String topic) {
    KafkaConsumer<String, String> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfra.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "restart-check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class));
    c.subscribe(List.of(topic));
    return c;
  }
}
