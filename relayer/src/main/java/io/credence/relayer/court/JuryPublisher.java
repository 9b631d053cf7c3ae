package io.credence.relayer.court;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.protocol.Hashes;
import io.credence.protocol.messages.JuryMessage;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.store.CourtStore;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Gives a drawn jury its job: one {@link JuryMessage} per dispute on the juries topic, keyed by
 * dispute id. Every worker reads every jury job with a consumer group of its own and acts on those
 * naming its key, so the job reaches the jurors wherever they run. The dispute is marked dispatched
 * only once Kafka took the message; a crash in between sends it again, and a juror answers a
 * repeated job with the same signed verdict.
 */
@ApplicationScoped
public class JuryPublisher {
  private static final Logger LOG = Logger.getLogger(JuryPublisher.class);

  private final Contracts contracts;
  private final String topic;
  private final KafkaProducer<String, String> producer;
  private final ObjectMapper json = ProtocolJson.mapper();

  @Inject
  public JuryPublisher(
      Contracts contracts,
      RelayerConfig config,
      @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    this.contracts = contracts;
    this.topic = config.accountability().juriesTopic();
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                15_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                30_000,
                ProducerConfig.CLIENT_ID_CONFIG,
                "credence-relayer-juries"),
            new StringSerializer(),
            new StringSerializer());
  }

  @PreDestroy
  void close() {
    producer.close(Duration.ofSeconds(5));
  }

  /** Publishes the jury job of {@code d}; false (logged) when Kafka did not take it. */
  boolean publish(
      CourtStore.Dispute d, CourtStore.Job job, int toleranceMode, long ulps, long absE9)
      throws InterruptedException {
    JuryMessage m =
        new JuryMessage(
            d.disputeId(),
            d.requestId(),
            contracts.chainId(),
            contracts.hub(),
            job.modelId(),
            Hashes.hex(job.modelHash()),
            job.modelUri(),
            Base64.getEncoder().encodeToString(job.input()),
            Hashes.hex(job.inputHash()),
            Base64.getEncoder().encodeToString(job.output()),
            Hashes.hex(d.outputHash()),
            d.jurors(),
            toleranceMode,
            ulps,
            absE9,
            d.verdictDeadline());
    String value;
    try {
      value = json.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the jury job of dispute " + d.disputeId(), e);
    }
    try {
      producer
          .send(new ProducerRecord<>(topic, Long.toString(d.disputeId()), value))
          .get(30, TimeUnit.SECONDS);
      LOG.infof(
          "dispute %d (request %d): jury job sent to %s", d.disputeId(), d.requestId(), d.jurors());
      return true;
    } catch (ExecutionException | TimeoutException e) {
      LOG.warnf(
          "Kafka did not take the jury job of dispute %d (%s); sent again next round",
          d.disputeId(), e.getMessage());
      return false;
    }
  }
}
