package io.credence.relayer.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.protocol.Hashes;
import io.credence.protocol.messages.JobMessage;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.store.RequestStore;
import io.credence.relayer.store.RequestStore.Dispatchable;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends requests to the workers. A request is marked dispatched only after Kafka acknowledged every
 * copy of its job, so a crash between the two sends the job again on restart (workers answer a
 * repeated job with the result they signed the first time); a crash after the commit loses nothing
 * either, since the job is already in Kafka.
 */
@ApplicationScoped
public class Dispatcher {
  private static final Logger LOG = Logger.getLogger(Dispatcher.class);

  /**
   * Requests dispatched per round at most (fresh and again each): bounds one round's Kafka batch.
   */
  private static final int ROUND = 256;

  private final RequestStore requests;
  private final Contracts contracts;
  private final RelayerConfig config;
  private final RelayerMetrics metrics;
  private final ObjectMapper json = ProtocolJson.mapper();
  private final String topic;
  private final KafkaProducer<String, String> producer;
  private final Admin admin;
  private final WorkerPartitions partitions;
  private volatile boolean paused;

  @Inject
  public Dispatcher(
      RequestStore requests,
      Contracts contracts,
      RelayerConfig config,
      RelayerMetrics metrics,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.requests = requests;
    this.contracts = contracts;
    this.config = config;
    this.metrics = metrics;
    this.topic = config.jobsTopic();
    this.paused = config.dispatch().paused();
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                1,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                15_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                30_000,
                ProducerConfig.CLIENT_ID_CONFIG,
                "credence-relayer-jobs"),
            new StringSerializer(),
            new StringSerializer());
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "credence-relayer-admin"));
    this.partitions = new WorkerPartitions(admin, topic, config.workerGroup());
  }

  @PreDestroy
  void close() {
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }

  public boolean paused() {
    return paused;
  }

  public void pause(boolean pause) {
    paused = pause;
    LOG.infof("dispatch %s", pause ? "paused" : "resumed");
  }

  /**
   * Dispatches requests seen and not yet dispatched, then those whose quorum did not come in time
   * and may be tried again.
   *
   * @return how many were dispatched
   */
  public int dispatch() throws InterruptedException {
    if (paused) {
      return 0;
    }
    List<Dispatchable> fresh = requests.fresh(ROUND);
    List<Dispatchable> retries = requests.overdue(config.dispatch().maxAttempts(), ROUND);
    List<Dispatchable> all = new ArrayList<>(fresh);
    all.addAll(retries);
    if (all.isEmpty()) {
      return 0;
    }
    List<List<Integer>> sentTo = new ArrayList<>(all.size());
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    for (Dispatchable p : all) {
      String value = job(p);
      String key = Long.toString(p.modelId());
      List<Integer> parts =
          p.quorum() == 1 ? List.of(-1) : partitions.choose(p.requestId(), p.quorum(), p.attempt());
      List<Integer> landed = new ArrayList<>();
      for (int partition : parts) {
        acks.add(
            producer.send(
                new ProducerRecord<>(topic, partition < 0 ? null : partition, key, value)));
        landed.add(partition);
      }
      sentTo.add(landed);
    }
    try {
      for (Future<RecordMetadata> ack : acks) {
        ack.get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      LOG.warnf(
          "Kafka did not take the jobs (%s); they are sent again on the next round",
          e.getMessage());
      return 0;
    }
    List<RequestStore.Dispatch> sent = new ArrayList<>(all.size());
    for (int i = 0; i < all.size(); i++) {
      String where =
          sentTo.get(i).stream()
              .map(x -> x < 0 ? "by-key" : Integer.toString(x))
              .collect(Collectors.joining(","));
      sent.add(new RequestStore.Dispatch(all.get(i).requestId(), all.get(i).attempt(), where));
    }
    requests.dispatched(sent, Instant.now().plus(config.dispatch().resultTimeout()));
    metrics.dispatched(fresh.size(), retries.size());
    if (!retries.isEmpty()) {
      LOG.infof(
          "re-dispatched %d requests whose quorum did not arrive in %s",
          retries.size(), config.dispatch().resultTimeout());
    }
    return all.size();
  }

  private String job(Dispatchable p) {
    JobMessage job =
        new JobMessage(
            p.requestId(),
            contracts.chainId(),
            contracts.hub(),
            p.modelId(),
            Hashes.hex(p.modelHash()),
            p.modelUri(),
            Base64.getEncoder().encodeToString(p.input()),
            Hashes.hex(p.inputHash()),
            p.quorum(),
            p.deadline(),
            p.attempt());
    try {
      return json.writeValueAsString(job);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write job " + p.requestId(), e);
    }
  }
}
