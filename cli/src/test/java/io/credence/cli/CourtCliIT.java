package io.credence.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.devnet.Checkout;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.localnet.DemoSetup;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.deploy.DeploymentManifest;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.Verdict;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.protocol.tensor.DType;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.testkit.TestInfra;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * The court's commands against a real anvil: one settlement batch holds an honest answer of the
 * demo model and a wrong one, both signed by a registered worker; three other workers can be drawn
 * as jurors. {@code credence challenge} re-runs the model, leaves the honest answer alone and
 * challenges the wrong one; the jury (played by the test, signing verdicts in Java) proves it
 * wrong; {@code credence dispute show} and {@code credence receipt verify} say so.
 */
class CourtCliIT {
  private static final Credentials LIAR = key("court cli liar");
  private static final List<Credentials> JURORS =
      List.of(key("court cli juror 1"), key("court cli juror 2"), key("court cli juror 3"));

  /** Signs an honest answer that is challenged anyway (--force); may sit on the other jury. */
  private static final Credentials HONEST = key("court cli honest worker");

  private static final Credentials DAPP = AnvilNode.devAccount(7);
  private static final Credentials CHALLENGER = AnvilNode.devAccount(8);
  private static AnvilNode anvil;
  private static ContractDeployer.Deployment d;
  private static Path manifest;
  private static Path onnx;
  private static byte[] honest;
  private static byte[] wrong;
  private static long honestId;
  private static long wrongId;
  private static long settledBlock;
  private static BigInteger model;

  private static Credentials key(String seed) {
    return Credentials.create(Hashes.hex(Hashes.keccak256(seed.getBytes(StandardCharsets.UTF_8))));
  }

  @BeforeAll
  static void settleAnHonestAndAWrongAnswerInOneBatch() throws Exception {
    anvil = TestInfra.anvil();
    d = ContractDeployer.deploy(anvil);
    manifest = Files.createTempDirectory("credence-court-cli").resolve("deployment.json");
    new DeploymentManifest(d.chainId(), d.startBlock(), d.deployer().getAddress(), d.addresses())
        .write(manifest);
    Path demo = DemoSetup.files(Checkout.root());
    onnx = demo.resolve("iris-classifier.onnx");
    model =
        BigInteger.valueOf(
            DemoSetup.registerModel(anvil, d.modelRegistry().getContractAddress(), demo));
    String workers = d.workerRegistry().getContractAddress();
    BigInteger stake = BigInteger.TEN.pow(18);
    DemoSetup.registerWorker(anvil, workers, LIAR, AnvilNode.devAccount(3), stake);
    for (int i = 0; i < JURORS.size(); i++) {
      DemoSetup.registerWorker(anvil, workers, JURORS.get(i), AnvilNode.devAccount(4 + i), stake);
    }
    InferenceHub hub =
        InferenceHub.load(
            d.inferenceHub().getContractAddress(),
            anvil.web3j(),
            anvil.transactionManager(DAPP),
            ContractDeployer.gas(anvil.chainId()));
    byte[] input =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 1.4f, 0.2f, 5.1f, 3.5f)));
    List<InferenceHub.InferenceRequestedEventResponse> requested = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      var tx =
          hub.requestInference(
                  model,
                  input,
                  BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(600)),
                  "0x0000000000000000000000000000000000000000",
                  BigInteger.ZERO,
                  BigInteger.ZERO,
                  BigInteger.ZERO,
                  DemoSetup.FEE)
              .send();
      requested.add(InferenceHub.getInferenceRequestedEvents(tx).get(0));
    }
    honest = LocalModel.run(onnx, input);
    wrong = TensorCodec.encode(shifted(TensorCodec.decode(honest)));
    byte[] modelHash = d.inferenceHub().modelTerms(model).send().component1();
    long at = anvil.latestTimestamp();
    Eip712Domain domain =
        Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress());
    List<InferenceHub.Receipt> receipts = new ArrayList<>();
    byte[][] outputs = {honest, wrong};
    for (int i = 0; i < 2; i++) {
      var r = requested.get(i);
      byte[] digest =
          new InferenceReceipt(
                  r.requestId, modelHash, r.inputHash, Hashes.keccak256(outputs[i]), at)
              .digest(domain);
      receipts.add(
          HubReceipts.receipt(
              r.requestId,
              HubReceipts.request(r),
              outputs[i],
              List.of(
                  new HubReceipts.Signed(
                      LIAR.getAddress(), at, new ReceiptSigner(LIAR).sign(digest)))));
    }
    var settled = hub.submitReceipts(receipts).send();
    assertThat(InferenceHub.getBatchSettledEvents(settled).get(0).count).isEqualTo(BigInteger.TWO);
    settledBlock = settled.getBlockNumber().longValueExact();
    honestId = requested.get(0).requestId.longValueExact();
    wrongId = requested.get(1).requestId.longValueExact();
  }

  /** The honest output with 0.25 added to every float: beyond any tolerance. */
  private static List<Tensor> shifted(List<Tensor> tensors) {
    List<Tensor> out = new ArrayList<>();
    for (Tensor t : tensors) {
      if (t.dtype() != DType.FLOAT32) {
        out.add(t);
        continue;
      }
      float[] v = t.toFloatArray();
      for (int i = 0; i < v.length; i++) {
        v[i] += 0.25f;
      }
      out.add(Tensor.ofFloat32(t.name(), t.shape(), v));
    }
    return out;
  }

  private record Run(int code, String out, String err) {}

  private static Run cli(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all =
        new ArrayList<>(List.of("--rpc", anvil.rpcUrl(), "--deployment", manifest.toString()));
    all.addAll(List.of(args));
    int code =
        CredenceCli.run(
            all.toArray(String[]::new),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            env);
    return new Run(code, out.toString(), err.toString());
  }

  private static Run cli(String... args) {
    return cli(Map.of(), args);
  }

  private static Run cliAs(Credentials key, String... args) {
    return cli(Map.of("CREDENCE_KEY_HEX", key.getEcKeyPair().getPrivateKey().toString(16)), args);
  }

  private static BigInteger nonce(Credentials who) throws Exception {
    return anvil
        .web3j()
        .ethGetTransactionCount(who.getAddress(), DefaultBlockParameterName.LATEST)
        .send()
        .getTransactionCount();
  }

  private static DisputeCourt court(Credentials who) {
    return DisputeCourt.load(
        d.disputeCourt().getContractAddress(),
        anvil.web3j(),
        anvil.transactionManager(who),
        ContractDeployer.gas(anvil.chainId()));
  }

  @Test
  void anHonestAnswerAgreesWithTheLocalRunAndIsNotChallenged() throws Exception {
    BigInteger before = nonce(CHALLENGER);
    Run run =
        cliAs(CHALLENGER, "challenge", Long.toString(honestId), "--model-file", onnx.toString());
    assertThat(run.code()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains(
            "sha256 matches the registered model",
            "answer 1 of 2 in batch " + honestId + " (the hub's record matches)",
            "settled      output hash " + Hashes.hex(Hashes.keccak256(honest)),
            "yours        output hash " + Hashes.hex(Hashes.keccak256(honest)),
            "verdict      the outputs agree: they are identical",
            "not challenged: nothing was sent")
        .doesNotContain("dispute ");
    assertThat(nonce(CHALLENGER)).as("no transaction sent").isEqualTo(before);
    assertThat(d.disputeCourt().openDisputeOf(BigInteger.valueOf(honestId)).send()).isZero();

    Run verify = cli("receipt", "verify", Long.toString(honestId));
    assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out())
        .containsPattern(
            "disputes     not disputed \\(challengeable until \\d{4}-\\d\\d-\\d\\dT[0-9:]+Z\\)");
  }

  @Test
  void forceChallengesAnAnswerThatAgreesWithTheBondGiven() throws Exception {
    DemoSetup.registerWorker(
        anvil,
        d.workerRegistry().getContractAddress(),
        HONEST,
        AnvilNode.devAccount(2),
        BigInteger.TEN.pow(18));
    InferenceHub hub =
        InferenceHub.load(
            d.inferenceHub().getContractAddress(),
            anvil.web3j(),
            anvil.transactionManager(DAPP),
            ContractDeployer.gas(anvil.chainId()));
    byte[] input =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 1.4f, 0.2f, 5.1f, 3.5f)));
    var r =
        InferenceHub.getInferenceRequestedEvents(
                hub.requestInference(
                        model,
                        input,
                        BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(600)),
                        "0x0000000000000000000000000000000000000000",
                        BigInteger.ZERO,
                        BigInteger.ZERO,
                        BigInteger.ZERO,
                        DemoSetup.FEE)
                    .send())
            .get(0);
    byte[] modelHash = d.inferenceHub().modelTerms(model).send().component1();
    long at = anvil.latestTimestamp();
    byte[] digest =
        new InferenceReceipt(r.requestId, modelHash, r.inputHash, Hashes.keccak256(honest), at)
            .digest(Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress()));
    hub.submitReceipts(
            List.of(
                HubReceipts.receipt(
                    r.requestId,
                    HubReceipts.request(r),
                    honest,
                    List.of(
                        new HubReceipts.Signed(
                            HONEST.getAddress(), at, new ReceiptSigner(HONEST).sign(digest))))))
        .send();
    BigInteger bond = d.disputeCourt().requiredBond(DemoSetup.FEE).send().add(BigInteger.ONE);
    Run run =
        cliAs(
            CHALLENGER,
            "challenge",
            r.requestId.toString(),
            "--model-file",
            onnx.toString(),
            "--force",
            "--bond",
            bond.toString());
    assertThat(run.code()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains(
            "answer 1 of 1 in batch " + r.requestId,
            "verdict      the outputs agree: they are identical",
            "challenging anyway (--force)",
            "opened: " + bond + " wei bonded by " + CHALLENGER.getAddress().toLowerCase());
    BigInteger id = d.disputeCourt().openDisputeOf(r.requestId).send();
    assertThat(id).isPositive();
    assertThat(d.disputeCourt().dispute(id).send().bond).isEqualTo(bond);
    Run show = cli("dispute", "show", id.toString());
    assertThat(show.out())
        .contains(
            "state        awaiting jury",
            "bond         " + bond + " wei",
            "signer       " + HONEST.getAddress().toLowerCase(),
            "outcome      pending: the jury is not drawn yet");
    Run tooLow =
        cliAs(
            CHALLENGER,
            "challenge",
            Long.toString(honestId),
            "--model-file",
            onnx.toString(),
            "--force",
            "--bond",
            "1");
    assertThat(tooLow.code()).isEqualTo(1);
    assertThat(tooLow.err().strip())
        .isEqualTo(
            "credence: a bond of 1 wei is below the "
                + bond.subtract(BigInteger.ONE)
                + " wei the court requires");
  }

  @Test
  void aModelFileThatIsNotTheRegisteredModelIsRefusedInOneLine() throws Exception {
    Path other = Files.createTempFile("not-the-model", ".onnx");
    Files.writeString(other, "something else");
    BigInteger before = nonce(CHALLENGER);
    Run run =
        cliAs(CHALLENGER, "challenge", Long.toString(wrongId), "--model-file", other.toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err().strip())
        .startsWith("credence: the model file " + other + " is not model ")
        .doesNotContain("\n", "Exception");
    assertThat(nonce(CHALLENGER)).isEqualTo(before);
  }

  @Test
  void aWrongAnswerIsChallengedAJuryProvesItWrongAndVerifyFails() throws Exception {
    Run run =
        cliAs(CHALLENGER, "challenge", Long.toString(wrongId), "--model-file", onnx.toString());
    assertThat(run.code()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains(
            "answer 2 of 2 in batch " + honestId,
            "settled      output hash " + Hashes.hex(Hashes.keccak256(wrong)),
            "yours        output hash " + Hashes.hex(Hashes.keccak256(honest)),
            "verdict      the outputs DISAGREE",
            "follow it:   credence dispute show ");
    Matcher opened = Pattern.compile("dispute (\\d+) opened: (\\d+) wei bonded").matcher(run.out());
    assertThat(opened.find()).as(run.out()).isTrue();
    BigInteger id = new BigInteger(opened.group(1));
    assertThat(new BigInteger(opened.group(2)))
        .isEqualTo(d.disputeCourt().requiredBond(DemoSetup.FEE).send());
    assertThat(d.disputeCourt().openDisputeOf(BigInteger.valueOf(wrongId)).send()).isEqualTo(id);

    Run awaiting = cli("receipt", "verify", Long.toString(wrongId));
    assertThat(awaiting.out())
        .contains(
            "disputes     challenged by "
                + CHALLENGER.getAddress().toLowerCase()
                + ": awaiting its jury (dispute "
                + id
                + ")");
    Run again =
        cliAs(CHALLENGER, "challenge", Long.toString(wrongId), "--model-file", onnx.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("already disputed (dispute " + id + ")");

    // the jury: drawn from the next block's hash, each juror signs a verdict in Java
    anvil.mine(1);
    DisputeCourt court = court(CHALLENGER);
    court.drawJury(id).send();
    DisputeCourt.Dispute dispute = court.dispute(id).send();
    assertThat(dispute.jurors).hasSizeGreaterThanOrEqualTo(3);
    Run voting = cli("dispute", "show", id.toString());
    assertThat(voting.out()).contains("state        voting", "has not voted");
    Eip712Domain domain =
        Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress());
    byte[] mine = Hashes.keccak256(honest);
    List<DisputeCourt.Verdict> verdicts = new ArrayList<>();
    for (String juror : dispute.jurors) {
      Credentials key =
          java.util.stream.Stream.concat(JURORS.stream(), java.util.stream.Stream.of(HONEST))
              .filter(k -> k.getAddress().equalsIgnoreCase(juror))
              .findFirst()
              .orElseThrow();
      Verdict v =
          new Verdict(id, BigInteger.valueOf(wrongId), Hashes.keccak256(wrong), mine, false);
      verdicts.add(
          new DisputeCourt.Verdict(id, mine, false, new ReceiptSigner(key).sign(v, domain)));
    }
    court.submitVerdicts(verdicts).send();

    Run show = cli("dispute", "show", id.toString());
    assertThat(show.code()).as(show.out() + show.err()).isZero();
    assertThat(show.out())
        .contains(
            "dispute      " + id + " (challenge)",
            "state        fault proven",
            "request      " + wrongId,
            "batch        " + honestId,
            "challenger   " + CHALLENGER.getAddress().toLowerCase(),
            "signer       " + LIAR.getAddress().toLowerCase(),
            "jury output  " + Hashes.hex(mine),
            "outcome      fault proven: the answer is wrong; signers slashed "
                + BigInteger.TEN.pow(18)
                + " wei, requester refunded "
                + DemoSetup.FEE
                + " wei")
        .containsPattern("verdicts due by \\d{4}-\\d\\d-\\d\\dT[0-9:]+Z");
    assertThat(show.out().lines().filter(l -> l.endsWith("voted: disagrees")))
        .hasSize(dispute.jurors.size());

    Run verify = cli("receipt", "verify", Long.toString(wrongId));
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.out())
        .contains(
            "disputes     challenged by "
                + CHALLENGER.getAddress().toLowerCase()
                + ": fault proven, signers slashed, requester refunded (dispute "
                + id
                + ")",
            "FAILED: a jury proved this answer wrong (dispute " + id + ")");

    Run overturned =
        cliAs(CHALLENGER, "challenge", Long.toString(wrongId), "--model-file", onnx.toString());
    assertThat(overturned.code()).isEqualTo(1);
    assertThat(overturned.err().strip())
        .isEqualTo(
            "credence: request "
                + wrongId
                + "'s answer was already proven wrong (dispute "
                + id
                + "): nothing left to challenge");
    assertThat(cli("dispute", "show", "999").out()).contains("not found");
    assertThat(settledBlock).isPositive();
  }
}
