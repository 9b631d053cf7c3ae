package io.credence.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.contracts.InferenceHub;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.messages.JobMessage;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.ResultMessage;
import io.credence.protocol.messages.Topics;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.testkit.TestInfra;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * The worker on a real broker and a real chain: a request made on the hub becomes a job, the
 * worker's signed result comes back on the results topic, and the hub settles it; a poison message
 * lands on the dead-letter topic with the reason.
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
    InferenceHub hub =
        InferenceHub.load(
            hubAddress,
            anvil.web3j(),
            anvil.transactionManager(dapp),
            ContractDeployer.gas(anvil.chainId()));
    byte[] input =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 5.1f, 3.5f, 1.4f, 0.2f)));
    TransactionReceipt tx =
        hub.requestInference(
                BigInteger.ONE,
                input,
                BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(3_600)),
                "0x0000000000000000000000000000000000000000",
                BigInteger.ZERO,
                BigInteger.ZERO,
                BigInteger.ZERO,
                BigInteger.TEN.pow(15))
            .send();
    var requested = InferenceHub.getInferenceRequestedEvents(tx).get(0);
    var modelTerms = hub.modelTerms(BigInteger.ONE).send();
    JobMessage job =
        new JobMessage(
            requested.requestId.longValueExact(),
            anvil.chainId(),
            hubAddress,
            1,
            Hashes.hex(modelTerms.component1()),
            "file:mlp.onnx",
            Base64.getEncoder().encodeToString(input),
            Hashes.hex(requested.inputHash),
            1,
            requested.deadline.longValueExact(),
            1);

    TestInfra.kafka().send(Topics.JOBS, "1", json.writeValueAsString(job));
    ConsumerRecord<String, String> record =
        TestInfra.kafka()
            .awaitRecord(
                Topics.RESULTS,
                r -> Long.toString(job.requestId()).equals(r.key()),
                Duration.ofSeconds(60));
    ResultMessage result = json.readValue(record.value(), ResultMessage.class);
    assertThat(result.status()).isEqualTo(ResultMessage.Status.OK);
    assertThat(result.worker()).isEqualTo(WorkerChainResource.WORKER_KEY.getAddress());

    Credentials relayer = AnvilNode.devAccount(6);
    InferenceHub asRelayer =
        InferenceHub.load(
            hubAddress,
            anvil.web3j(),
            anvil.transactionManager(relayer),
            ContractDeployer.gas(anvil.chainId()));
    var receipt =
        HubReceipts.receipt(
            requested.requestId,
            HubReceipts.request(requested),
            Base64.getDecoder().decode(result.output()),
            List.of(
                new HubReceipts.Signed(
                    result.worker(), result.executedAt(), Hashes.fromHex(result.signature()))));
    TransactionReceipt settled = asRelayer.submitReceipts(List.of(receipt)).send();
    assertThat(InferenceHub.getInferenceSettledEvents(settled)).hasSize(1);
    assertThat(hub.isPending(requested.requestId).send()).isFalse();
  }

  @Test
  void aPoisonMessageGoesToTheDeadLetterTopicWithTheReason() throws Exception {
    String poison = "{not a job " + UUID.randomUUID();
    TestInfra.kafka().send(Topics.JOBS, "poison", poison);
    ConsumerRecord<String, String> dead =
        TestInfra.kafka()
            .awaitRecord(
                Topics.deadLetter(Topics.JOBS),
                r -> poison.equals(r.value()),
                Duration.ofSeconds(60));
    var reason = dead.headers().lastHeader("dead-letter-reason");
    assertThat(reason).isNotNull();
    assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("not a job message");
  }
}
