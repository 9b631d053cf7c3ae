package io.credence.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.credence.protocol.settlement.HubReceipts;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.testkit.TestInfra;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * The CLI against a real anvil: a receipt settled by a registered worker verifies; tampering does
 * not.
 */
class CliIT {
  private static final Credentials KEY =
      Credentials.create(
          Hashes.hex(Hashes.keccak256("cli test worker".getBytes(StandardCharsets.UTF_8))));
  private static final Credentials OPERATOR = AnvilNode.devAccount(3);
  private static final Credentials DAPP = AnvilNode.devAccount(7);
  private static AnvilNode anvil;
  private static ContractDeployer.Deployment d;
  private static Path manifest;
  private static long settledId;
  private static long pendingId;
  private static long tensorId;

  @BeforeAll
  static void settleOneReceipt() throws Exception {
    anvil = TestInfra.anvil();
    d = ContractDeployer.deploy(anvil);
    manifest = Files.createTempDirectory("credence-cli").resolve("deployment.json");
    new DeploymentManifest(d.chainId(), d.startBlock(), d.deployer().getAddress(), d.addresses())
        .write(manifest);
    long model =
        DemoSetup.registerModel(
            anvil, d.modelRegistry().getContractAddress(), DemoSetup.files(Checkout.root()));
    DemoSetup.registerWorker(
        anvil, d.workerRegistry().getContractAddress(), KEY, OPERATOR, BigInteger.TEN.pow(18));
    InferenceHub hub =
        InferenceHub.load(
            d.inferenceHub().getContractAddress(),
            anvil.web3j(),
            anvil.transactionManager(DAPP),
            ContractDeployer.gas(anvil.chainId()));
    var requested = new java.util.ArrayList<InferenceHub.InferenceRequestedEventResponse>();
    for (int i = 0; i < 2; i++) {
      var tx =
          hub.requestInference(
                  BigInteger.valueOf(model),
                  ("input " + i).getBytes(StandardCharsets.UTF_8),
                  BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(600)),
                  "0x0000000000000000000000000000000000000000",
                  BigInteger.ZERO,
                  BigInteger.ZERO,
                  BigInteger.ZERO,
                  DemoSetup.FEE)
              .send();
      requested.add(InferenceHub.getInferenceRequestedEvents(tx).get(0));
    }
    var r = requested.get(0);
    byte[] output = "an answer".getBytes(StandardCharsets.UTF_8);
    long at = anvil.latestTimestamp();
    byte[] modelHash = d.inferenceHub().modelTerms(r.modelId).send().component1();
    byte[] digest =
        new InferenceReceipt(r.requestId, modelHash, r.inputHash, Hashes.keccak256(output), at)
            .digest(Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress()));
    hub.submitReceipts(
            List.of(
                HubReceipts.receipt(
                    r.requestId,
                    HubReceipts.request(r),
                    output,
                    List.of(
                        new HubReceipts.Signed(
                            KEY.getAddress(), at, new ReceiptSigner(KEY).sign(digest))))))
        .send();
    settledId = r.requestId.longValueExact();
    pendingId = requested.get(1).requestId.longValueExact();

    // a request in tensors, answered in tensors: what request show decodes
    byte[] features =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 1.4f, 0.2f, 5.1f, 3.5f)));
    var tx =
        hub.requestInference(
                BigInteger.valueOf(model),
                features,
                BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(600)),
                "0x0000000000000000000000000000000000000000",
                BigInteger.ZERO,
                BigInteger.ZERO,
                BigInteger.ZERO,
                DemoSetup.FEE)
            .send();
    var t = InferenceHub.getInferenceRequestedEvents(tx).get(0);
    byte[] probabilities =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("probabilities", new long[] {1, 3}, 0.006f, 0.003f, 0.991f)));
    long tAt = anvil.latestTimestamp();
    byte[] tDigest =
        new InferenceReceipt(
                t.requestId, modelHash, t.inputHash, Hashes.keccak256(probabilities), tAt)
            .digest(Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress()));
    hub.submitReceipts(
            List.of(
                HubReceipts.receipt(
                    t.requestId,
                    HubReceipts.request(t),
                    probabilities,
                    List.of(
                        new HubReceipts.Signed(
                            KEY.getAddress(), tAt, new ReceiptSigner(KEY).sign(tDigest))))))
        .send();
    tensorId = t.requestId.longValueExact();
  }

  private record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 4];
    all[0] = "--rpc";
    all[1] = anvil.rpcUrl();
    all[2] = "--deployment";
    all[3] = manifest.toString();
    System.arraycopy(args, 0, all, 4, args.length);
    int code = CredenceCli.run(all, new PrintWriter(out, true), new PrintWriter(err, true), env);
    return new Run(code, out.toString(), err.toString());
  }

  private static java.util.Map<String, String> env = java.util.Map.of();

  private static Run cliAs(Credentials key, String... args) {
    env = java.util.Map.of("CREDENCE_KEY_HEX", key.getEcKeyPair().getPrivateKey().toString(16));
    try {
      return cli(args);
    } finally {
      env = java.util.Map.of();
    }
  }

  @Test
  void inferSendsTheRequestWaitsForTheReceiptAndPrintsTheOutputTensors() throws Exception {
    Path input = Files.createTempFile("input", ".json");
    Files.writeString(
        input,
        "[{\"name\":\"features\",\"dtype\":\"float32\",\"shape\":[1,4],\"data\":[1.4,0.2,5.1,3.5]}]");
    BigInteger next = d.inferenceHub().nextRequestId().send();
    var run =
        java.util.concurrent.CompletableFuture.supplyAsync(() ->
            cliAs(DAPP, "infer", "--model", "1", "--input", input.toString(), "--timeout", "60"));
    // a worker and a relayer, played by the test: wait for the request, settle it
    InferenceHub hub =
        InferenceHub.load(
            d.inferenceHub().getContractAddress(),
            anvil.web3j(),
            anvil.transactionManager(OPERATOR),
            ContractDeployer.gas(anvil.chainId()));
    InferenceHub.InferenceRequestedEventResponse r = null;
    for (int i = 0; i < 200 && r == null; i++) {
      var filter =
          new org.web3j.protocol.core.methods.request.EthFilter(
              org.web3j.protocol.core.DefaultBlockParameter.valueOf(
                  BigInteger.valueOf(d.startBlock())),
              org.web3j.protocol.core.DefaultBlockParameterName.LATEST,
              d.inferenceHub().getContractAddress());
      filter.addSingleTopic(
          org.web3j.abi.EventEncoder.encode(InferenceHub.INFERENCEREQUESTED_EVENT));
      filter.addSingleTopic(org.web3j.utils.Numeric.toHexStringWithPrefixZeroPadded(next, 64));
      var logs = anvil.web3j().ethGetLogs(filter).send().getLogs();
      if (!logs.isEmpty()) {
        r =
            InferenceHub.getInferenceRequestedEventFromLog(
                (org.web3j.protocol.core.methods.response.Log) logs.get(0).get());
      } else {
        Thread.sleep(50);
      }
    }
    assertThat(r).as("the CLI's request").isNotNull();
    byte[] output =
        io.credence.protocol.tensor.TensorCodec.encode(
            List.of(
                io.credence.protocol.tensor.Tensor.ofFloat32(
                    "probabilities", new long[] {1, 3}, 0.9f, 0.05f, 0.05f)));
    long at = anvil.latestTimestamp();
    byte[] modelHash = d.inferenceHub().modelTerms(r.modelId).send().component1();
    byte[] digest =
        new InferenceReceipt(r.requestId, modelHash, r.inputHash, Hashes.keccak256(output), at)
            .digest(Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress()));
    hub.submitReceipts(
            List.of(
                HubReceipts.receipt(
                    r.requestId,
                    HubReceipts.request(r),
                    output,
                    List.of(
                        new HubReceipts.Signed(
                            KEY.getAddress(), at, new ReceiptSigner(KEY).sign(digest))))))
        .send();
    Run done = run.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(done.code()).as(done.err()).isZero();
    assertThat(done.out().trim())
        .isEqualTo(
            "[{\"name\":\"probabilities\",\"dtype\":\"float32\",\"shape\":[1,3],\"data\":[0.9,0.05,0.05]}]");
    assertThat(done.err()).contains("request " + next + " sent", "credence receipt verify " + next);
  }

  @Test
  void contributorsRegisterDatasetsModelsAndWorkersFromTheCommandLine() throws Exception {
    Credentials provider = AnvilNode.devAccount(2);
    Path data = Files.createTempFile("data", ".csv");
    Files.writeString(data, "a,b\n1,2\n");
    Run dataset = cliAs(provider, "dataset", "register", data.toString(), "--uri", "file:data.csv");
    assertThat(dataset.code()).as(dataset.out() + dataset.err()).isZero();
    String hash = Hashes.hex(Hashes.sha256(data));
    assertThat(dataset.out()).contains("dataset " + hash + " registered");

    Path onnx = DemoSetup.files(Checkout.root()).resolve("iris-classifier.onnx");
    Run model =
        cliAs(
            AnvilNode.devAccount(1),
            "model",
            "register",
            onnx.toString(),
            "--uri",
            "file:iris-classifier.onnx",
            "--fee",
            "1000",
            "--contributor",
            AnvilNode.devAccount(1).getAddress() + ":author:7000",
            "--contributor",
            provider.getAddress() + ":data:3000:" + hash);
    assertThat(model.code()).as(model.out() + model.err()).isZero();
    java.util.regex.Matcher id =
        java.util.regex.Pattern.compile("model (\\d+) registered").matcher(model.out());
    assertThat(id.find()).isTrue();
    var terms = d.inferenceHub().modelTerms(new BigInteger(id.group(1))).send();
    assertThat(terms.component1()).isEqualTo(Hashes.sha256(onnx));
    assertThat(terms.component2()).isEqualTo(BigInteger.valueOf(1000));

    // a model quantized from it, which pays it 20 % of its pool
    Run derived =
        cliAs(
            AnvilNode.devAccount(1),
            "model",
            "register",
            onnx.toString(),
            "--uri",
            "file:iris-classifier.onnx",
            "--fee",
            "1000",
            "--contributor",
            AnvilNode.devAccount(1).getAddress() + ":author:10000",
            "--parent",
            id.group(1) + ":2000:quantize");
    assertThat(derived.code()).as(derived.out() + derived.err()).isZero();
    java.util.regex.Matcher derivedId =
        java.util.regex.Pattern.compile("model (\\d+) registered").matcher(derived.out());
    assertThat(derivedId.find()).isTrue();
    var parents = d.modelRegistry().parents(new BigInteger(derivedId.group(1))).send();
    assertThat(parents).hasSize(1);
    var parent = (io.credence.contracts.ModelRegistry.Parent) parents.get(0);
    assertThat(parent.modelId).isEqualTo(new BigInteger(id.group(1)));
    assertThat(parent.kind).isEqualTo(BigInteger.valueOf(3));
    assertThat(parent.shareBps).isEqualTo(BigInteger.valueOf(2000));
    Run badParent =
        cliAs(
            AnvilNode.devAccount(1),
            "model",
            "register",
            onnx.toString(),
            "--uri",
            "u",
            "--fee",
            "1",
            "--contributor",
            AnvilNode.devAccount(1).getAddress() + ":author:10000",
            "--parent",
            id.group(1) + ":2000:photocopy");
    assertThat(badParent.code()).isEqualTo(2);
    assertThat(badParent.err()).contains("--parent is ID:BPS");
    assertThat(
            cliAs(
                    AnvilNode.devAccount(1),
                    "model",
                    "register",
                    onnx.toString(),
                    "--uri",
                    "u",
                    "--fee",
                    "1",
                    "--contributor",
                    "nonsense")
                .code())
        .isEqualTo(2);

    Credentials signing =
        Credentials.create(
            Hashes.hex(Hashes.keccak256("cli registered worker".getBytes(StandardCharsets.UTF_8))));
    Credentials operator = AnvilNode.devAccount(9);
    env =
        java.util.Map.of(
            "CREDENCE_KEY_HEX", operator.getEcKeyPair().getPrivateKey().toString(16),
            "CREDENCE_WORKER_KEY_HEX", signing.getEcKeyPair().getPrivateKey().toString(16));
    try {
      Run register = cli("worker", "register", "--stake", BigInteger.TEN.pow(18).toString());
      assertThat(register.code()).as(register.out() + register.err()).isZero();
      assertThat(d.workerRegistry().isActive(signing.getAddress()).send()).isTrue();
      Run unbond =
          cli(
              "worker",
              "unbond",
              signing.getAddress(),
              "--amount",
              BigInteger.TEN.pow(17).toString());
      assertThat(unbond.code()).as(unbond.out() + unbond.err()).isZero();
      anvil.increaseTime(7 * 24 * 3600 + 1);
      Run withdraw = cli("worker", "withdraw", signing.getAddress());
      assertThat(withdraw.code()).as(withdraw.out() + withdraw.err()).isZero();
      assertThat(withdraw.out()).contains("withdrew " + BigInteger.TEN.pow(17) + " wei");
      assertThat(d.workerRegistry().worker(signing.getAddress()).send().component2())
          .isEqualTo(BigInteger.TEN.pow(18).subtract(BigInteger.TEN.pow(17)));
    } finally {
      env = java.util.Map.of();
    }
  }

  @Test
  void claimPaysTheBalanceOnceAndKeysNeverComeFromArguments() throws Exception {
    Credentials claimer = AnvilNode.devAccount(4);
    // a refund credits the requester's balance: request as account 4, let it expire
    InferenceHub asClaimer =
        InferenceHub.load(
            d.inferenceHub().getContractAddress(),
            anvil.web3j(),
            anvil.transactionManager(claimer),
            ContractDeployer.gas(anvil.chainId()));
    var tx =
        asClaimer
            .requestInference(
                BigInteger.ONE,
                "refund me".getBytes(StandardCharsets.UTF_8),
                BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(100)),
                "0x0000000000000000000000000000000000000000",
                BigInteger.ZERO,
                BigInteger.ZERO,
                BigInteger.ZERO,
                DemoSetup.FEE)
            .send();
    var e = InferenceHub.getInferenceRequestedEvents(tx).get(0);
    anvil.increaseTime(200);
    asClaimer.expire(e.requestId, HubReceipts.request(e)).send();
    BigInteger balance = d.inferenceHub().balanceOf(claimer.getAddress()).send();
    assertThat(balance).isEqualTo(DemoSetup.FEE);
    Run claim = cliAs(claimer, "rewards", "claim");
    assertThat(claim.code()).as(claim.out() + claim.err()).isZero();
    assertThat(claim.out())
        .contains("claimed " + balance + " wei to " + claimer.getAddress().toLowerCase());
    assertThat(d.inferenceHub().balanceOf(claimer.getAddress()).send()).isZero();
    Run again = cliAs(claimer, "rewards", "claim");
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.out()).contains("nothing to claim");
    Run noKey = cli("rewards", "claim");
    assertThat(noKey.code()).isEqualTo(2);
    assertThat(noKey.err()).contains("CREDENCE_KEY_HEX");
    Path bad = Files.createTempFile("bad", ".json");
    Files.writeString(bad, "{\"not\": \"a list\"}");
    Run badInput = cliAs(DAPP, "infer", "--model", "1", "--input", bad.toString());
    assertThat(badInput.code()).isEqualTo(2);
    assertThat(badInput.err()).contains("JSON list of tensors");
  }

  @Test
  void aSettledReceiptVerifiesAgainstTheChainAndTheModelFile() {
    Run r =
        cli(
            "receipt",
            "verify",
            Long.toString(settledId),
            "--model-file",
            DemoSetup.files(Checkout.root()).resolve("iris-classifier.onnx").toString());
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains(
            "verified: every check passed",
            KEY.getAddress().toLowerCase(),
            "an active worker",
            "matches");
  }

  @Test
  void aWrongModelFileAPendingRequestAndAnUnknownOneDoNotVerify() throws Exception {
    Path other = Files.createTempFile("not-the-model", ".onnx");
    Files.writeString(other, "something else");
    Run wrong =
        cli("receipt", "verify", Long.toString(settledId), "--model-file", other.toString());
    assertThat(wrong.code()).isEqualTo(1);
    assertThat(wrong.out())
        .contains("DOES NOT match", "FAILED: the model file is not the registered model");
    Run pending = cli("receipt", "verify", Long.toString(pendingId));
    assertThat(pending.code()).isEqualTo(1);
    assertThat(pending.out()).contains("no receipt (pending)");
    assertThat(cli("receipt", "verify", "999999").code()).isEqualTo(1);
  }

  @Test
  void badUsageIsExitCodeTwoWithAMessageAndAnUnreachableNodeThree() {
    Run bad = cli("receipt", "verify", "abc");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("positive integer");
    assertThat(cli("rewards", "show", "0x12").code()).isEqualTo(2);
    StringWriter err = new StringWriter();
    int code =
        CredenceCli.run(
            new String[] {"--rpc", "http://127.0.0.1:1", "request", "show", "1"},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true),
            java.util.Map.of());
    assertThat(code).isEqualTo(3);
    assertThat(err.toString()).contains("cannot reach the node");
  }

  @Test
  void rewardsAndRequestsComeFromTheChain() throws Exception {
    Run rewards = cli("rewards", "show", OPERATOR.getAddress());
    assertThat(rewards.code()).isZero();
    assertThat(rewards.out())
        .contains(
            "claimable  " + d.inferenceHub().claimable(OPERATOR.getAddress()).send() + " wei");
    Run request = cli("request", "show", Long.toString(settledId));
    assertThat(request.code()).isZero();
    assertThat(request.out())
        .contains("SETTLED", Hashes.hex("an answer".getBytes(StandardCharsets.UTF_8)));
    assertThat(cli("request", "show", Long.toString(pendingId)).out()).contains("PENDING");
  }

  @Test
  void requestShowDecodesTheTensorsLabelledFromTheModelCard() throws Exception {
    Path demo = DemoSetup.files(Checkout.root());
    String labelledInput =
        "petal_length 1.400, petal_width 0.200, sepal_length 5.100, sepal_width 3.500";
    String labelledOutput = "Iris-versicolor 0.006, Iris-virginica 0.003, Iris-setosa 0.991";
    // the card next to --model-file
    Run byFile =
        cli(
            "request",
            "show",
            Long.toString(tensorId),
            "--model-file",
            demo.resolve("iris-classifier.onnx").toString());
    assertThat(byFile.code()).as(byFile.out() + byFile.err()).isZero();
    assertThat(byFile.out())
        .contains(
            "input      features float32[1, 4]: " + labelledInput,
            "output     probabilities float32[1, 3]: " + labelledOutput);
    assertThat(byFile.out())
        .as("the deadline as a UTC time too")
        .containsPattern("deadline   \\d+ \\(\\d{4}-\\d\\d-\\d\\dT[0-9:]+Z\\)");
    // the card next to the registered file: URI, under the workers' file root
    Run byUri = cli("request", "show", Long.toString(tensorId), "--model-root", demo.toString());
    assertThat(byUri.out()).contains(labelledInput, labelledOutput);
    assertThat(byUri.err()).isEmpty();
    // no card: the values, unlabelled
    Run bare =
        cli(
            "request",
            "show",
            Long.toString(tensorId),
            "--model-root",
            Files.createTempDirectory("no-card").toString());
    assertThat(bare.out())
        .contains(
            "features float32[1, 4]: 1.400, 0.200, 5.100, 3.500",
            "probabilities float32[1, 3]: 0.006, 0.003, 0.991")
        .doesNotContain("Iris-setosa");
  }

  @Test
  void anInferTheHubWouldRefuseIsNotSentAndNamesTheContractsError() throws Exception {
    Path input = Files.createTempFile("input", ".json");
    Files.writeString(
        input,
        "[{\"name\":\"features\",\"dtype\":\"float32\",\"shape\":[1,4],\"data\":[1.4,0.2,5.1,3.5]}]");
    BigInteger next = d.inferenceHub().nextRequestId().send();
    Run past = cliAs(DAPP, "infer", "--model", "1", "--input", input.toString(), "--deadline", "0");
    assertThat(past.code()).as(past.err()).isEqualTo(1);
    assertThat(past.err())
        .containsPattern("DeadlineInPast\\(deadline=\\d+, now=\\d+\\)")
        .contains("not sent")
        .doesNotContain("0x42fdf937");
    Run cheap = cliAs(DAPP, "infer", "--model", "1", "--input", input.toString(), "--fee", "1");
    assertThat(cheap.code()).isEqualTo(1);
    assertThat(cheap.err()).contains("FeeTooLow(paid=1, fee=" + DemoSetup.FEE + ")");
    assertThat(d.inferenceHub().nextRequestId().send()).as("nothing was sent").isEqualTo(next);
  }

  @Test
  void onAnIdleChainTheDeadlineCountsFromTheNextBlocksTimeNotTheLastOnes() throws Exception {
    Path input = Files.createTempFile("input", ".json");
    Files.writeString(
        input,
        "[{\"name\":\"features\",\"dtype\":\"float32\",\"shape\":[1,4],\"data\":[1.4,0.2,5.1,3.5]}]");
    long stale = anvil.latestTimestamp();
    // an hour passes without a block: the latest block is an hour old when the request is mined
    anvil.rpc("evm_increaseTime", 3600);
    BigInteger id = d.inferenceHub().nextRequestId().send();
    // nobody answers: infer gives up after a second, the request stays pending
    Run run =
        cliAs(
            DAPP,
            "infer",
            "--model",
            "1",
            "--input",
            input.toString(),
            "--deadline",
            "600",
            "--timeout",
            "1");
    assertThat(run.err()).contains("request " + id + " sent").doesNotContain("DeadlineInPast");
    Run shown = cli("request", "show", id.toString());
    java.util.regex.Matcher deadline =
        java.util.regex.Pattern.compile("deadline   (\\d+)").matcher(shown.out());
    assertThat(deadline.find()).as(shown.out()).isTrue();
    assertThat(Long.parseLong(deadline.group(1))).isGreaterThanOrEqualTo(stale + 3600 + 600);
  }

  @Test
  void theLauncherPrintsNothingButTheCommandsOutputWhenNothingChanged() throws Exception {
    Path home = Files.createTempDirectory("credence-home");
    // the first call may build the CLI or record its class-data archive; the second finds both
    // current
    Launched first = launch(home, "--help");
    assertThat(first.code()).as(first.err()).isZero();
    Launched help = launch(home, "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Usage: credence");
    assertThat(help.err()).as("no build output, no JVM chatter").isEmpty();
    Launched show =
        launch(
            home,
            "--rpc",
            anvil.rpcUrl(),
            "--deployment",
            manifest.toString(),
            "request",
            "show",
            Long.toString(settledId));
    assertThat(show.code()).as(show.err()).isZero();
    assertThat(show.out()).contains("SETTLED");
    assertThat(show.err()).isEmpty();
  }

  private record Launched(int code, String out, String err) {}

  /** scripts/credence as a user runs it, from another directory. */
  private static Launched launch(Path home, String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(List.of(Checkout.root().resolve("scripts/credence").toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("launcher", ".out");
    Path err = Files.createTempFile("launcher", ".err");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().put("CREDENCE_HOME", home.toString());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    if (!p.waitFor(20, java.util.concurrent.TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(
          "scripts/credence "
              + String.join(" ", args)
              + " did not finish; its output so far: "
              + Files.readString(err));
    }
    int code = p.exitValue();
    return new Launched(code, Files.readString(out), Files.readString(err));
  }
}
