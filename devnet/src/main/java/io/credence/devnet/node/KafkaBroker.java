package io.credence.devnet.node;

import io.credence.devnet.process.ManagedProcess;
import io.credence.devnet.process.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real Kafka broker (KRaft, one node acting as broker and controller) from {@code kafka_2.13},
 * run in its own JVM on the classpath that the testkit build wrote to {@code
 * kafka-broker.classpath}. The data directory is formatted on first start.
 */
public final class KafkaBroker implements AutoCloseable {
  /**
   * How to start the broker.
   *
   * @param dataDir holds server.properties and the log directories
   * @param port client (PLAINTEXT) port on 127.0.0.1
   * @param controllerPort KRaft controller port on 127.0.0.1
   * @param log file that receives the broker's output
   * @param detached start in its own session, to outlive the launcher (devnet)
   */
  public record Options(Path dataDir, int port, int controllerPort, Path log, boolean detached) {
    public static Options forTests(Path dir) {
      int port = Ports.free();
      return new Options(
          dir.resolve("kafka-" + port),
          port,
          Ports.free(),
          dir.resolve("kafka-" + port + ".log"),
          false);
    }
  }

  /**
   * First argument of the broker JVM, so that a pid can be recognised as the broker (the JDK
   * truncates long command lines, and the classpath is long).
   */
  public static final String SERVICE_MARKER = "-Dcredence.service=kafka-broker";

  private final String bootstrapServers;
  private final ManagedProcess process;

  private KafkaBroker(String bootstrapServers, ManagedProcess process) {
    this.bootstrapServers = bootstrapServers;
    this.process = process;
  }

  public static KafkaBroker start(Options o) {
    try {
      Files.createDirectories(o.dataDir());
      Path props = o.dataDir().resolve("server.properties");
      Files.writeString(props, serverProperties(o), StandardCharsets.UTF_8);
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String classpath = brokerClasspath();
      if (!Files.exists(o.dataDir().resolve("logs/meta.properties"))) {
        format(java, classpath, props, o.log());
      }
      List<String> cmd =
          List.of(
              java,
              SERVICE_MARKER,
              "-Xms128m",
              "-Xmx512m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
              "-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info",
              "-Dorg.slf4j.simpleLogger.showDateTime=true",
              "-cp",
              classpath,
              "kafka.Kafka",
              props.toString());
      ManagedProcess p =
          ManagedProcess.start("kafka", cmd, o.dataDir(), o.log(), Map.of(), o.detached());
      KafkaBroker broker = new KafkaBroker("127.0.0.1:" + o.port(), p);
      p.awaitReady(Duration.ofSeconds(90), broker::ready);
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare Kafka in " + o.dataDir(), e);
    }
  }

  /** A broker someone else runs; {@link #close()} leaves it running. */
  public static KafkaBroker attach(String bootstrapServers) {
    KafkaBroker b = new KafkaBroker(bootstrapServers, null);
    if (!b.ready()) {
      throw new IllegalStateException("no Kafka broker answers at " + bootstrapServers);
    }
    return b;
  }

  private static void format(String java, String classpath, Path props, Path log) {
    List<String> cmd =
        List.of(
            java,
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            classpath,
            "kafka.tools.StorageTool",
            "format",
            "--ignore-formatted",
            "-t",
            Uuid.randomUuid().toString(),
            "-c",
            props.toString());
    ManagedProcess f =
        ManagedProcess.start("kafka-storage-format", cmd, props.getParent(), log, Map.of(), false);
    ProcessHandle h = ProcessHandle.of(f.pid()).orElse(null);
    if (h != null) {
      try {
        h.onExit().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        f.stop(Duration.ofSeconds(1));
        throw new IllegalStateException("formatting the Kafka storage timed out; see " + log);
      }
    }
    if (!Files.exists(props.getParent().resolve("logs/meta.properties"))) {
      throw new IllegalStateException(
          "formatting the Kafka storage failed; last lines of " + log + ":\n" + f.logTail(30));
    }
  }

  static String serverProperties(Options o) {
    String controller = "127.0.0.1:" + o.controllerPort();
    return String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@" + controller,
            "listeners=PLAINTEXT://127.0.0.1:" + o.port() + ",CONTROLLER://" + controller,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + o.port(),
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + o.dataDir().resolve("logs").toAbsolutePath(),
            "num.partitions=3",
            "auto.create.topics.enable=true",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=5",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=5",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "log.retention.hours=168")
        + "\n";
  }

  /** The classpath of kafka_2.13 and its dependencies, resolved by the testkit build. */
  static String brokerClasspath() {
    try (InputStream in = KafkaBroker.class.getResourceAsStream("kafka-broker.classpath")) {
      if (in == null) {
        throw new IllegalStateException(
            "kafka-broker.classpath is missing from credence-devnet-kafka-broker: rebuild it (./mvnw -pl devnet -am package -DskipTests)");
      }
      String cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      for (String entry : cp.split(java.io.File.pathSeparator)) {
        if (!Files.exists(Path.of(entry))) {
          throw new IllegalStateException(
              "Kafka broker jar " + entry + " is gone from the local repository: rebuild testkit");
        }
      }
      return cp;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public long pid() {
    return process == null ? -1 : process.pid();
  }

  /** True when the broker answers a metadata request. */
  public boolean ready() {
    try (Admin admin = admin(Duration.ofSeconds(2))) {
      return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  /** Creates topics with {@code partitions} partitions; existing ones are left as they are. */
  public void createTopics(int partitions, String... names) {
    try (Admin admin = admin(Duration.ofSeconds(10))) {
      List<NewTopic> topics =
          java.util.Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList();
      for (var f : admin.createTopics(topics).values().values()) {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "creating topics " + Set.of(names) + " failed: " + e.getCause(), e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("creating topics " + Set.of(names) + " timed out", e);
    }
  }

  /** Sends one record and waits for the broker's acknowledgement. */
  public void send(String topic, String key, String value) {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (var producer = new KafkaProducer<String, String>(config)) {
      producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("sending to " + topic + " failed: " + e, e);
    }
  }

  /**
   * Reads {@code topic} from the beginning (a fresh consumer group) until a record matches.
   *
   * @throws AssertionError when none arrives within {@code timeout}
   */
  public ConsumerRecord<String, String> awaitRecord(
      String topic, Predicate<ConsumerRecord<String, String>> match, Duration timeout) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ConsumerConfig.GROUP_ID_CONFIG,
            "testkit-" + java.util.UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class);
    try (var consumer = new KafkaConsumer<String, String>(config)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          if (match.test(r)) {
            return r;
          }
        }
      }
    }
    throw new AssertionError(
        "nothing matching arrived on " + topic + " within " + timeout.toSeconds() + " s");
  }

  public Admin admin(Duration timeout) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    return Admin.create(p);
  }

  @Override
  public void close() {
    if (process != null) {
      process.stop(Duration.ofSeconds(20));
    }
  }
}
