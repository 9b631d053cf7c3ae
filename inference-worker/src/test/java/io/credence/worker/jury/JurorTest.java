package io.credence.worker.jury;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.models.BenchMlp;
import io.credence.protocol.Hashes;
import io.credence.protocol.dispute.Tolerance;
import io.credence.protocol.messages.JuryMessage;
import io.credence.protocol.messages.VerdictMessage;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.Verdict;
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
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/** The juror's decision with real ONNX Runtime on a real model file, every verdict signed. */
class JurorTest {
  private static final String HUB = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
  private static final long CHAIN = 31337;
  private static final Credentials KEY =
      Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  private static final String OTHER_JUROR = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
  private static final Eip712Domain DOMAIN = Eip712Domain.credence(CHAIN, HUB);

  @TempDir Path dir;
  private byte[] modelHash;
  private byte[] input;
  private byte[] honest;
  private ModelRunner runner;

  @BeforeEach
  void writeModelAndRunItHonestly() throws Exception {
    byte[] model = BenchMlp.build(new int[] {4, 8, 3}, 1);
    Files.write(dir.resolve("mlp.onnx"), model);
    modelHash = Hashes.sha256(model);
    InferenceEngine engine = new InferenceEngine(1_000_000);
    runner =
        new ModelRunner(
            new SessionCache(
                new ModelStore(dir.resolve("cache"), dir, 10_000_000, Duration.ofSeconds(5)),
                2,
                "cpu",
                0,
                1),
            engine,
            new Batcher(engine, 8, Duration.ofMillis(2), n -> {}),
            65_536);
    input =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 5.1f, 3.5f, 1.4f, 0.2f)));
    honest = runner.run("file:mlp.onnx", modelHash, input, new HashMap<>());
  }

  private Juror juror(Liar liar) {
    return new Juror(CHAIN, HUB, new ReceiptSigner(KEY), runner, liar);
  }

  private Juror juror() {
    return juror(Liar.honest(KEY.getAddress()));
  }

  private JuryMessage jury(
      long disputeId, byte[] settled, Tolerance tolerance, String uri, List<String> jurors) {
    return jury(disputeId, settled, tolerance, uri, modelHash, jurors);
  }

  private JuryMessage jury(
      long disputeId,
      byte[] settled,
      Tolerance tolerance,
      String uri,
      byte[] modelHash,
      List<String> jurors) {
    return new JuryMessage(
        disputeId,
        100 + disputeId,
        CHAIN,
        HUB,
        1,
        Hashes.hex(modelHash),
        uri,
        Base64.getEncoder().encodeToString(input),
        Hashes.hex(Hashes.keccak256(input)),
        Base64.getEncoder().encodeToString(settled),
        Hashes.hex(Hashes.keccak256(settled)),
        jurors,
        tolerance.mode(),
        tolerance.ulps(),
        tolerance.absE9(),
        1_790_003_600L);
  }

  private JuryMessage jury(long disputeId, byte[] settled, Tolerance tolerance) {
    return jury(
        disputeId, settled, tolerance, "file:mlp.onnx", List.of(OTHER_JUROR, KEY.getAddress()));
  }

  private static Tolerance close() {
    return new Tolerance(Tolerance.CLOSE, 8, 1_000);
  }

  private static byte[] perturbed(byte[] output, boolean withinTolerance) {
    return TensorCodec.encode(Liar.perturb(TensorCodec.decode(output), withinTolerance));
  }

  private static void assertSignedBy(VerdictMessage v, Credentials key) throws Exception {
    Verdict verdict =
        new Verdict(
            BigInteger.valueOf(v.disputeId()),
            BigInteger.valueOf(v.requestId()),
            Hashes.bytes32(v.outputHash()),
            Hashes.bytes32(v.jurorOutputHash()),
            v.agrees());
    assertThat(ReceiptSigner.recover(verdict.digest(DOMAIN), Hashes.fromHex(v.signature())))
        .isEqualTo(key.getAddress());
  }

  @Test
  void agreesWithTheHonestOutputAndSignsTheVerdict() throws Exception {
    VerdictMessage v = juror().judge(jury(1, honest, close())).orElseThrow();
    assertThat(v.agrees()).isTrue();
    assertThat(v.disputeId()).isEqualTo(1);
    assertThat(v.requestId()).isEqualTo(101);
    assertThat(v.juror()).isEqualTo(KEY.getAddress());
    assertThat(v.outputHash()).isEqualTo(Hashes.hex(Hashes.keccak256(honest)));
    assertThat(v.jurorOutputHash()).isEqualTo(v.outputHash());
    assertSignedBy(v, KEY);
  }

  @Test
  void disagreesWithAWrongOutputNamingItsOwn() throws Exception {
    byte[] lie = perturbed(honest, false);
    VerdictMessage v = juror().judge(jury(2, lie, close())).orElseThrow();
    assertThat(v.agrees()).isFalse();
    assertThat(v.outputHash()).isEqualTo(Hashes.hex(Hashes.keccak256(lie)));
    assertThat(v.jurorOutputHash()).isEqualTo(Hashes.hex(Hashes.keccak256(honest)));
    assertSignedBy(v, KEY);
  }

  @Test
  void judgesByTheDisputesTolerance() {
    byte[] oneUlpOff = perturbed(honest, true);
    VerdictMessage close = juror().judge(jury(3, oneUlpOff, close())).orElseThrow();
    assertThat(close.agrees()).isTrue();
    assertThat(close.jurorOutputHash()).isEqualTo(Hashes.hex(Hashes.keccak256(honest)));
    assertThat(juror().judge(jury(4, oneUlpOff, Tolerance.exact())).orElseThrow().agrees())
        .isFalse();
    assertThat(
            juror()
                .judge(jury(5, oneUlpOff, new Tolerance(Tolerance.ARGMAX, 0, 0)))
                .orElseThrow()
                .agrees())
        .isTrue();
  }

  @Test
  void theSameMessageGivesTheSameSignedVerdict() {
    JuryMessage m = jury(6, perturbed(honest, false), close());
    assertThat(juror().judge(m)).isEqualTo(juror().judge(m));
  }

  @Test
  void ignoresMessagesNamingOtherJurorsAndFindsItsKeyInAnyCase() {
    JuryMessage others = jury(7, honest, close(), "file:mlp.onnx", List.of(OTHER_JUROR));
    assertThat(juror().isJuror(others)).isFalse();
    assertThat(juror().judge(others)).isEmpty();
    JuryMessage upper =
        jury(
            8,
            honest,
            close(),
            "file:mlp.onnx",
            List.of("0x" + KEY.getAddress().substring(2).toUpperCase(Locale.ROOT)));
    assertThat(juror().judge(upper)).isPresent();
  }

  @Test
  void aModelThatCannotRunGivesNoVerdict() throws Exception {
    byte[] other = BenchMlp.build(new int[] {4, 8, 3}, 2);
    byte[] otherHash = Hashes.sha256(other);
    List<String> me = List.of(KEY.getAddress());
    assertThat(juror().judge(jury(9, honest, close(), "file:missing.onnx", otherHash, me)))
        .isEmpty();
    Files.write(dir.resolve("not-the-registered.onnx"), BenchMlp.build(new int[] {4, 8, 3}, 3));
    assertThat(
            juror().judge(jury(10, honest, close(), "file:not-the-registered.onnx", otherHash, me)))
        .as("a file that is not the registered model is never run")
        .isEmpty();
    Files.write(dir.resolve("other.onnx"), other);
    assertThat(juror().judge(jury(11, honest, close(), "file:other.onnx", otherHash, me)))
        .as("the registered file runs")
        .isPresent();
    byte[] wrongInput =
        TensorCodec.encode(List.of(Tensor.ofFloat32("pixels", new long[] {1, 4}, 1, 2, 3, 4)));
    JuryMessage m = jury(12, honest, close());
    JuryMessage cannotRun =
        new JuryMessage(
            m.disputeId(),
            m.requestId(),
            m.chainId(),
            m.hub(),
            m.modelId(),
            m.modelHash(),
            m.modelUri(),
            Base64.getEncoder().encodeToString(wrongInput),
            Hashes.hex(Hashes.keccak256(wrongInput)),
            m.output(),
            m.outputHash(),
            m.jurors(),
            m.toleranceMode(),
            m.toleranceUlps(),
            m.toleranceAbsE9(),
            m.verdictDeadline());
    assertThat(juror().judge(cannotRun)).isEmpty();
  }

  @Test
  void messagesItCannotTrustAreRefused() {
    JuryMessage good = jury(11, honest, close());
    JuryMessage otherHub =
        new JuryMessage(
            good.disputeId(),
            good.requestId(),
            good.chainId(),
            "0x0000000000000000000000000000000000000001",
            good.modelId(),
            good.modelHash(),
            good.modelUri(),
            good.input(),
            good.inputHash(),
            good.output(),
            good.outputHash(),
            good.jurors(),
            good.toleranceMode(),
            good.toleranceUlps(),
            good.toleranceAbsE9(),
            good.verdictDeadline());
    assertThatThrownBy(() -> juror().judge(otherHub))
        .isInstanceOf(BadJury.class)
        .hasMessageContaining("this worker signs for hub");
    JuryMessage wrongOutputHash =
        new JuryMessage(
            good.disputeId(),
            good.requestId(),
            good.chainId(),
            good.hub(),
            good.modelId(),
            good.modelHash(),
            good.modelUri(),
            good.input(),
            good.inputHash(),
            good.output(),
            Hashes.hex(new byte[32]),
            good.jurors(),
            good.toleranceMode(),
            good.toleranceUlps(),
            good.toleranceAbsE9(),
            good.verdictDeadline());
    assertThatThrownBy(() -> juror().judge(wrongOutputHash))
        .isInstanceOf(BadJury.class)
        .hasMessageContaining("output does not hash");
    JuryMessage badTolerance =
        new JuryMessage(
            good.disputeId(),
            good.requestId(),
            good.chainId(),
            good.hub(),
            good.modelId(),
            good.modelHash(),
            good.modelUri(),
            good.input(),
            good.inputHash(),
            good.output(),
            good.outputHash(),
            good.jurors(),
            9,
            0,
            0,
            good.verdictDeadline());
    assertThatThrownBy(() -> juror().judge(badTolerance))
        .isInstanceOf(BadJury.class)
        .hasMessageContaining("tolerance mode");
  }

  @Test
  void aLyingJurorLiesAsItWouldAnswer() {
    Liar liar = new Liar(1, false, KEY.getAddress(), () -> {});
    VerdictMessage v = juror(liar).judge(jury(12, honest, close())).orElseThrow();
    assertThat(v.agrees()).isFalse();
    assertThat(v.jurorOutputHash())
        .isEqualTo(Hashes.hex(Hashes.keccak256(perturbed(honest, false))));

    Liar subtle = new Liar(1, true, KEY.getAddress(), () -> {});
    VerdictMessage within = juror(subtle).judge(jury(13, honest, close())).orElseThrow();
    assertThat(within.agrees()).isTrue();
    assertThat(within.jurorOutputHash()).isNotEqualTo(within.outputHash());
    assertThat(Optional.of(within)).isEqualTo(juror(subtle).judge(jury(13, honest, close())));
  }
}
