package io.credence.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.models.BenchMlp;
import io.credence.protocol.Hashes;
import io.credence.protocol.messages.JobMessage;
import io.credence.protocol.messages.ResultMessage;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.FailureReason;
import io.credence.protocol.receipt.InferenceFailure;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.worker.exec.Batcher;
import io.credence.worker.exec.InferenceEngine;
import io.credence.worker.exec.ModelRunner;
import io.credence.worker.lying.Liar;
import io.credence.worker.model.ModelStore;
import io.credence.worker.model.SessionCache;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/** The job handler with real ONNX Runtime on a real model file: every outcome, signed. */
class JobHandlerTest {
  private static final String HUB = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
  private static final long CHAIN = 31337;
  private static final Credentials KEY =
      Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  private static final Eip712Domain DOMAIN = Eip712Domain.credence(CHAIN, HUB);

  @TempDir Path dir;
  private byte[] modelHash;
  private long requestIds = 1;

  private JobHandler handler(Path results, Clock clock, int maxInputBytes) {
    return handler(results, clock, maxInputBytes, Liar.honest(KEY.getAddress()));
  }

  private JobHandler handler(Path results, Clock clock, int maxInputBytes, Liar liar) {
    ModelStore store =
        new ModelStore(
            dir.resolve("cache-" + results.getFileName()), dir, 10_000_000, Duration.ofSeconds(5));
    InferenceEngine engine = new InferenceEngine(1_000_000);
    ModelRunner runner =
        new ModelRunner(
            new SessionCache(store, 2, "cpu", 0, 1),
            engine,
            new Batcher(engine, 8, Duration.ofMillis(2), n -> {}),
            maxInputBytes);
    return new JobHandler(
        CHAIN, HUB, new ReceiptSigner(KEY), runner, liar, new ResultStore(results), clock);
  }

  private JobHandler handler() {
    return handler(
        dir.resolve("results"),
        Clock.fixed(Instant.ofEpochSecond(1_790_000_000), ZoneOffset.UTC),
        65_536);
  }

  @BeforeEach
  void writeModel() throws Exception {
    byte[] model = BenchMlp.build(new int[] {4, 8, 3}, 1);
    Files.write(dir.resolve("mlp.onnx"), model);
    Files.write(dir.resolve("not-onnx.onnx"), "hello".getBytes());
    modelHash = Hashes.sha256(model);
  }

  private JobMessage job(byte[] input, String uri, byte[] sha256) {
    return new JobMessage(
        requestIds++,
        CHAIN,
        HUB,
        1,
        Hashes.hex(sha256),
        uri,
        Base64.getEncoder().encodeToString(input),
        Hashes.hex(Hashes.keccak256(input)),
        1,
        1_790_003_600L,
        1);
  }

  private JobMessage job(List<Tensor> inputs) {
    return job(TensorCodec.encode(inputs), "file:mlp.onnx", modelHash);
  }

  private static List<Tensor> features(float... values) {
    return List.of(Tensor.ofFloat32("features", new long[] {1, 4}, values));
  }

  @Test
  void answersWithTheOutputAndASignedReceipt() throws Exception {
    JobMessage job = job(features(5.1f, 3.5f, 1.4f, 0.2f));
    ResultMessage r = handler().handle(job);

    assertThat(r.status()).isEqualTo(ResultMessage.Status.OK);
    assertThat(r.worker()).isEqualTo(KEY.getAddress());
    byte[] output = Base64.getDecoder().decode(r.output());
    assertThat(r.outputHash()).isEqualTo(Hashes.hex(Hashes.keccak256(output)));
    List<Tensor> out = TensorCodec.decode(output);
    assertThat(out).extracting(Tensor::name).containsExactly(BenchMlp.OUTPUT);
    assertThat(out.get(0).shape()).containsExactly(1, 3);
    float[] p = out.get(0).toFloatArray();
    assertThat(p[0] + p[1] + p[2]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));

    InferenceReceipt receipt =
        new InferenceReceipt(
            BigInteger.valueOf(job.requestId()),
            modelHash,
            Hashes.bytes32(job.inputHash()),
            Hashes.keccak256(output),
            r.executedAt());
    assertThat(ReceiptSigner.recover(receipt.digest(DOMAIN), Hashes.fromHex(r.signature())))
        .isEqualTo(KEY.getAddress());
    assertThat(r.timings()).containsOnlyKeys("loadMs", "queueMs", "runMs", "totalMs");
    assertThat(r.timings().values()).allMatch(ms -> ms >= 0);
    // the phases are disjoint parts of the total
    assertThat(r.timings().get("loadMs") + r.timings().get("queueMs") + r.timings().get("runMs"))
        .isLessThanOrEqualTo(r.timings().get("totalMs"));
  }

  @Test
  void theSameInputGivesTheSameOutputHashRunAfterRun() {
    List<String> hashes = new java.util.ArrayList<>();
    for (int run = 0; run < 3; run++) {
      JobHandler fresh = handler(dir.resolve("results-" + run), Clock.systemUTC(), 65_536);
      hashes.add(fresh.handle(job(features(6.3f, 2.9f, 5.6f, 1.8f))).outputHash());
    }
    assertThat(hashes).hasSize(3).containsOnly(hashes.get(0));
  }

  @Test
  void aRedeliveredJobGetsExactlyTheSameResult() {
    JobMessage job = job(features(1, 2, 3, 4));
    ResultMessage first =
        handler(dir.resolve("r"), Clock.fixed(Instant.ofEpochSecond(1_000), ZoneOffset.UTC), 65_536)
            .handle(job);
    ResultMessage again =
        handler(dir.resolve("r"), Clock.fixed(Instant.ofEpochSecond(9_000), ZoneOffset.UTC), 65_536)
            .handle(job);
    assertThat(again).isEqualTo(first);
  }

  private void assertSignedFailure(JobMessage job, FailureReason reason, String detailPart)
      throws Exception {
    ResultMessage r = handler().handle(job);
    assertThat(r.status()).isEqualTo(ResultMessage.Status.FAILED);
    assertThat(r.reason()).isEqualTo(reason.code());
    assertThat(r.detail()).contains(detailPart);
    assertThat(r.output()).isNull();
    InferenceFailure f =
        InferenceFailure.of(
            BigInteger.valueOf(job.requestId()),
            Hashes.bytes32(job.modelHash()),
            Hashes.bytes32(job.inputHash()),
            reason,
            r.detail());
    assertThat(ReceiptSigner.recover(f.digest(DOMAIN), Hashes.fromHex(r.signature())))
        .isEqualTo(KEY.getAddress());
  }

  @Test
  void everyBadInputIsASignedFailureWithItsReason() throws Exception {
    assertSignedFailure(
        job("not tensors".getBytes(), "file:mlp.onnx", modelHash),
        FailureReason.BAD_INPUT_ENCODING,
        "canonical");
    assertSignedFailure(
        job(List.of(Tensor.ofFloat32("features", new long[] {1, 5}, 1, 2, 3, 4, 5))),
        FailureReason.INPUT_MISMATCH,
        "must have shape");
    assertSignedFailure(
        job(List.of(Tensor.ofInt32("features", new long[] {1, 4}, 1, 2, 3, 4))),
        FailureReason.INPUT_MISMATCH,
        "must be FLOAT32");
    assertSignedFailure(
        job(List.of(Tensor.ofFloat32("pixels", new long[] {1, 4}, 1, 2, 3, 4))),
        FailureReason.INPUT_MISMATCH,
        "takes inputs [features]");
    assertSignedFailure(
        job(
            List.of(
                Tensor.ofFloat32("features", new long[] {1, 4}, 1, 2, 3, 4),
                Tensor.ofFloat32("features", new long[] {1, 4}, 1, 2, 3, 4))),
        FailureReason.INPUT_MISMATCH,
        "given twice");
    byte[] big =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("features", new long[] {20_000, 4}, new float[80_000])));
    assertSignedFailure(
        job(big, "file:mlp.onnx", modelHash), FailureReason.INPUT_TOO_LARGE, "more than 65536");
  }

  @Test
  void modelProblemsAreSignedFailuresAndNothingRuns() throws Exception {
    byte[] input = TensorCodec.encode(features(1, 2, 3, 4));
    assertSignedFailure(
        job(input, "file:missing.onnx", modelHash),
        FailureReason.MODEL_UNAVAILABLE,
        "no model file");
    assertSignedFailure(
        job(input, "file:/etc/hostname", modelHash),
        FailureReason.MODEL_UNAVAILABLE,
        "outside the worker's file root");
    assertSignedFailure(
        job(input, "ftp://example.org/m.onnx", modelHash),
        FailureReason.MODEL_UNAVAILABLE,
        "unsupported");
    assertSignedFailure(
        job(input, "file:not-onnx.onnx", modelHash),
        FailureReason.MODEL_HASH_MISMATCH,
        "registered");
    assertThat(Files.list(dir.resolve("cache-results")))
        .as("a mismatching file is never cached")
        .noneMatch(p -> p.toString().endsWith(".onnx"));
    assertSignedFailure(
        job(input, "file:not-onnx.onnx", Hashes.sha256("hello".getBytes())),
        FailureReason.MODEL_LOAD_FAILED,
        "cannot load");
  }

  @Test
  void jobsItMustNotSignForArePoison() {
    JobMessage good = job(features(1, 2, 3, 4));
    JobMessage otherHub =
        new JobMessage(
            good.requestId(),
            CHAIN,
            "0x0000000000000000000000000000000000000001",
            1,
            good.modelHash(),
            good.modelUri(),
            good.input(),
            good.inputHash(),
            1,
            1,
            1);
    assertThatThrownBy(() -> handler().handle(otherHub))
        .isInstanceOf(PoisonJob.class)
        .hasMessageContaining("this worker signs for hub");
    JobMessage otherChain =
        new JobMessage(
            good.requestId(),
            1,
            HUB,
            1,
            good.modelHash(),
            good.modelUri(),
            good.input(),
            good.inputHash(),
            1,
            1,
            1);
    assertThatThrownBy(() -> handler().handle(otherChain))
        .isInstanceOf(PoisonJob.class)
        .hasMessageContaining("chain 1");
    JobMessage wrongHash =
        new JobMessage(
            good.requestId(),
            CHAIN,
            HUB,
            1,
            good.modelHash(),
            good.modelUri(),
            good.input(),
            Hashes.hex(new byte[32]),
            1,
            1,
            1);
    assertThatThrownBy(() -> handler().handle(wrongHash))
        .isInstanceOf(PoisonJob.class)
        .hasMessageContaining("does not hash");
  }

  @Test
  void aLiarSignsAnotherOutputThanTheHonestOneAndTheSameOneEveryTime() throws Exception {
    JobMessage job = job(features(5.1f, 3.5f, 1.4f, 0.2f));
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_790_000_000), ZoneOffset.UTC);
    ResultMessage honest = handler(dir.resolve("honest"), clock, 65_536).handle(job);
    int[] lies = {0};
    Liar liar = new Liar(1, false, KEY.getAddress(), () -> lies[0]++);
    ResultMessage lie = handler(dir.resolve("liar"), clock, 65_536, liar).handle(job);
    ResultMessage again = handler(dir.resolve("liar-again"), clock, 65_536, liar).handle(job);

    assertThat(lie.status()).isEqualTo(ResultMessage.Status.OK);
    assertThat(lie.outputHash()).isNotEqualTo(honest.outputHash());
    assertThat(again.outputHash()).as("re-running never equivocates").isEqualTo(lie.outputHash());
    assertThat(lies[0]).isEqualTo(2);
    float[] p =
        TensorCodec.decode(Base64.getDecoder().decode(honest.output())).get(0).toFloatArray();
    float[] q = TensorCodec.decode(Base64.getDecoder().decode(lie.output())).get(0).toFloatArray();
    for (int i = 0; i < p.length; i++) {
      assertThat(q[i]).isCloseTo(p[i] + 0.25f, org.assertj.core.data.Offset.offset(1e-6f));
    }
    byte[] output = Base64.getDecoder().decode(lie.output());
    assertThat(lie.outputHash()).isEqualTo(Hashes.hex(Hashes.keccak256(output)));
    InferenceReceipt receipt =
        new InferenceReceipt(
            BigInteger.valueOf(job.requestId()),
            modelHash,
            Hashes.bytes32(job.inputHash()),
            Hashes.keccak256(output),
            lie.executedAt());
    assertThat(ReceiptSigner.recover(receipt.digest(DOMAIN), Hashes.fromHex(lie.signature())))
        .as("the lie is signed like any answer")
        .isEqualTo(KEY.getAddress());
  }
}
