package io.credence.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.protocol.Hashes;
import io.credence.protocol.dispute.Tolerance;
import io.credence.protocol.messages.JuryMessage;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.Topics;
import io.credence.protocol.messages.VerdictMessage;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.Verdict;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.testkit.TestInfra;
import io.credence.worker.exec.Batcher;
import io.credence.worker.exec.InferenceEngine;
import io.credence.worker.exec.ModelRunner;
import io.credence.worker.lying.Liar;
import io.credence.worker.model.ModelStore;
import io.credence.worker.model.SessionCache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * The juror role on a real broker: a jury job naming the worker's key gets a verdict signed by that
 * key under the hub's domain, agreeing with the honest output and disagreeing (naming the honest
 * output's hash) with a wrong one; a jury job naming other jurors gets nothing; an unreadable one
 * lands on the dead-letter topic; the worker reads juries in a consumer group of its own.
 */
@QuarkusTest
@WithTestResource(WorkerChainResource.class)
class WorkerJuryIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Credentials KEY = WorkerChainResource.WORKER_KEY;
  private static final String OTHER_JUROR = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

  private final ObjectMapper json = ProtocolJson.mapper();

  @ConfigProperty(name = "credence.worker.hub")
  String hub;

  @ConfigProperty(name = "credence.chain.id")
  long chainId;

  private byte[] modelHash;
  private byte[] input;
  private byte[] honest;

  /** The honest output, computed here by ONNX Runtime on the registered file. */
  @BeforeEach
  void runTheModelHonestly() throws Exception {
    Path models = Path.of("target", "worker-it", "models").toAbsolutePath();
    modelHash = Hashes.sha256(Files.readAllBytes(models.resolve("mlp.onnx")));
    input =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 6.3f, 2.9f, 5.6f, 1.8f)));
    InferenceEngine engine = new InferenceEngine(1_000_000);
    try (SessionCache sessions =
        new SessionCache(
            new ModelStore(Path.of("target", "worker-it", "test-cache"), models, 10_000_000, WAIT),
            1,
            "cpu",
            0,
            1)) {
      honest =
          new ModelRunner(sessions, engine, new Batcher(engine, 1, Duration.ZERO, n -> {}), 65_536)
              .run("file:mlp.onnx", modelHash, input, new HashMap<>());
    }
  }

  private JuryMessage jury(long disputeId, byte[] settled, List<String> jurors) {
    return new JuryMessage(
        disputeId,
        disputeId + 1_000,
        chainId,
        hub,
        1,
        Hashes.hex(modelHash),
        "file:mlp.onnx",
        Base64.getEncoder().encodeToString(input),
        Hashes.hex(Hashes.keccak256(input)),
        Base64.getEncoder().encodeToString(settled),
        Hashes.hex(Hashes.keccak256(settled)),
        jurors,
        Tolerance.CLOSE,
        8,
        1_000,
        Long.MAX_VALUE / 2);
  }

  private void send(JuryMessage m) throws Exception {
    TestInfra.kafka().send(Topics.JURIES, Long.toString(m.disputeId()), json.writeValueAsString(m));
  }

  private VerdictMessage awaitVerdict(long disputeId, Set<String> keysSeen) throws Exception {
    ConsumerRecord<String, String> r =
        TestInfra.kafka()
            .awaitRecord(
                Topics.VERDICTS,
                rec -> {
                  keysSeen.add(rec.key());
                  return Long.toString(disputeId).equals(rec.key());
                },
                WAIT);
    return json.readValue(r.value(), VerdictMessage.class);
  }

  private void assertSignedByTheWorker(VerdictMessage v) throws Exception {
    Verdict verdict =
        new Verdict(
            BigInteger.valueOf(v.disputeId()),
            BigInteger.valueOf(v.requestId()),
            Hashes.bytes32(v.outputHash()),
            Hashes.bytes32(v.jurorOutputHash()),
            v.agrees());
    assertThat(
            ReceiptSigner.recover(
                verdict.digest(Eip712Domain.credence(chainId, hub)), Hashes.fromHex(v.signature())))
        .isEqualTo(KEY.getAddress());
    assertThat(v.juror()).isEqualTo(KEY.getAddress());
  }

  private static long freshDisputeId() {
    return ThreadLocalRandom.current().nextLong(1, 1L << 40);
  }

  @Test
  void aJurorAgreesWithTheHonestOutputAndDisagreesWithAWrongOne() throws Exception {
    long agreeId = freshDisputeId();
    send(jury(agreeId, honest, List.of(OTHER_JUROR, KEY.getAddress().toUpperCase(Locale.ROOT))));
    VerdictMessage agrees = awaitVerdict(agreeId, new HashSet<>());
    assertThat(agrees.agrees()).isTrue();
    assertThat(agrees.requestId()).isEqualTo(agreeId + 1_000);
    assertThat(agrees.outputHash()).isEqualTo(Hashes.hex(Hashes.keccak256(honest)));
    assertThat(agrees.jurorOutputHash()).isEqualTo(agrees.outputHash());
    assertSignedByTheWorker(agrees);

    long disagreeId = freshDisputeId();
    byte[] wrong = TensorCodec.encode(Liar.perturb(TensorCodec.decode(honest), false));
    send(jury(disagreeId, wrong, List.of(KEY.getAddress())));
    VerdictMessage disagrees = awaitVerdict(disagreeId, new HashSet<>());
    assertThat(disagrees.agrees()).isFalse();
    assertThat(disagrees.outputHash()).isEqualTo(Hashes.hex(Hashes.keccak256(wrong)));
    assertThat(disagrees.jurorOutputHash()).isEqualTo(Hashes.hex(Hashes.keccak256(honest)));
    assertSignedByTheWorker(disagrees);

    String group = "credence-jurors-" + KEY.getAddress().toLowerCase(Locale.ROOT);
    try (Admin admin = TestInfra.kafka().admin(Duration.ofSeconds(10))) {
      assertThat(
              admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS).stream()
                  .map(ConsumerGroupListing::groupId))
          .as("the worker reads juries in a group of its own")
          .contains(group);
    }
  }

  @Test
  void aJuryOfOtherKeysGetsNoVerdictFromThisWorker() throws Exception {
    int partitions;
    try (Admin admin = TestInfra.kafka().admin(Duration.ofSeconds(10))) {
      partitions =
          admin
              .describeTopics(List.of(Topics.JURIES))
              .allTopicNames()
              .get(10, TimeUnit.SECONDS)
              .get(Topics.JURIES)
              .partitions()
              .size();
    }
    // both on one partition, so the worker, which judges in order, reads the ignored one first
    long ignoredId = freshDisputeId();
    long namedId = ignoredId + 1;
    while (partition(namedId, partitions) != partition(ignoredId, partitions)) {
      namedId++;
    }
    send(jury(ignoredId, honest, List.of(OTHER_JUROR)));
    send(jury(namedId, honest, List.of(KEY.getAddress())));
    Set<String> seen = new HashSet<>();
    assertThat(awaitVerdict(namedId, seen).agrees()).isTrue();
    assertThat(seen).doesNotContain(Long.toString(ignoredId));
  }

  private static int partition(long disputeId, int partitions) {
    byte[] key = Long.toString(disputeId).getBytes(StandardCharsets.UTF_8);
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }

  @Test
  void anUnreadableJuryMessageGoesToTheDeadLetterTopicWithTheReason() {
    String poison = "{not a jury " + UUID.randomUUID();
    TestInfra.kafka().send(Topics.JURIES, "poison", poison);
    ConsumerRecord<String, String> dead =
        TestInfra.kafka()
            .awaitRecord(Topics.deadLetter(Topics.JURIES), r -> poison.equals(r.value()), WAIT);
    var reason = dead.headers().lastHeader("dead-letter-reason");
    assertThat(reason).isNotNull();
    assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("not a jury message");
  }
}
