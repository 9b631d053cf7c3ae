package io.credence.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.contracts.InferenceHub;
import io.credence.protocol.Hashes;
import io.credence.protocol.messages.JobMessage;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.ResultMessage;
import io.credence.protocol.messages.Topics;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.testkit.AnvilNode;
import io.credence.testkit.ContractDeployer;
import io.credence.testkit.TestInfra;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The worker on a real broker and a real chain: a request made on the hub becomes a job, the
 * worker's signed result comes back on the results topic, and the hub settles it; a poison
 * message lands on the dead-letter topic with the reason.
 */
@QuarkusTest
@WithTestResource(WorkerChainResource.class)
class WorkerKafkaIT {
  private final ObjectMapper json = ProtocolJson.mapper();

  @ConfigProperty(name = "credence.worker.hub")
  String hubAddress;

  @Test
  void aRequestOnChainIsAnsweredAndSettledWithTheWorkersSignature() throws Exception {
    AnvilNode anvil = TestInfra.anvil();
    Credentials dapp = AnvilNode.devAccount(5);
    InferenceHub hub = InferenceHub.load(hubAddress, anvil.web3j(), anvil.transactionManager(dapp), ContractDeployer.gas(anvil.chainId()));
    byte[] input = TensorCodec.encode(List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 5.1f, 3.5f, 1.4f, 0.2f)));
    TransactionReceipt tx =
        hub.requestInference(
                BigInteger.ONE, input, BigInteger.valueOf(anvil.latestTimestamp() + 3_600),
                "0x0000000000000000000000000000000000000000", BigInteger.ZERO, BigInteger.TEN.pow(15))
            .send();
    var requested = InferenceHub.getInferenceRequestedEvents(tx).get(0);
    var modelTerms = hub.modelTerms(BigInteger.ONE).send();
    JobMessage job =
        new JobMessage(
            requested.requestId.longValueExact(), anvil.chainId(), hubAddress, 1, Hashes.hex(modelTerms.component1()),
            "file:mlp.onnx", Base64.getEncoder().encodeToString(input), Hashes.hex(requested.inputHash), 1,
            requested.deadline.longValueExact(), 1);

    send(Topics.JOBS, "1", json.writeValueAsString(job));
    ConsumerRecord<String, String> record =
        await(Topics.RESULTS, r -> Long.toString(job.requestId()).equals(r.key()));
    ResultMessage result = json.readValue(record.value(), ResultMessage.class);
    assertThat(result.status()).isEqualTo(ResultMessage.Status.OK);
    assertThat(result.worker()).isEqualTo(WorkerChainResource.WORKER_KEY.getAddress());

    Credentials relayer = AnvilNode.devAccount(6);
    InferenceHub asRelayer = InferenceHub.load(hubAddress, anvil.web3j(), anvil.transactionManager(relayer), ContractDeployer.gas(anvil.chainId()));
    var receipt =
        HubReceipts.receipt(
            requested.requestId, HubReceipts.request(requested), Base64.getDecoder().decode(result.output()),
            List.of(new HubReceipts.Signed(result.worker(), result.executedAt(), Hashes.fromHex(result.signature()))));
    TransactionReceipt settled = asRelayer.submitReceipts(List.of(receipt)).send();
    assertThat(InferenceHub.getInferenceSettledEvents(settled)).hasSize(1);
    assertThat(hub.isPending(requested.requestId).send()).isFalse();
  }

  @Test
  void aPoisonMessageGoesToTheDeadLetterTopicWithTheReason() throws Exception {
    String poison = "{not a job " + UUID.randomUUID();
    send(Topics.JOBS, "poison", poison);
    ConsumerRecord<String, String> dead = await(Topics.deadLetter(Topics.JOBS), r -> poison.equals(r.value()));
    var reason = dead.headers().lastHeader("dead-letter-reason");
    assertThat(reason).isNotNull();
    assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("not a job message");
  }

  private static void send(String topic, String key, String value) throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.kafka().bootstrapServers(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (var producer = new KafkaProducer<String, String>(config)) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  private static ConsumerRecord<String, String> await(String topic, Predicate<ConsumerRecord<String, String>> match) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.kafka().bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "worker-it-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    try (var consumer = new KafkaConsumer<String, String>(config)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          if (match.test(r)) {
            return r;
          }
        }
      }
    }
    throw new AssertionError("nothing matching arrived on " + topic + " within 60 s");
  }
}
