package io.credence.localnet;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.contracts.ExampleConsumer;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.WorkerRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.node.KafkaBroker;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.deploy.DeploymentManifest;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.ResultMessage;
import io.credence.protocol.messages.Topics;
import io.credence.protocol.model.ModelCard;
import io.credence.protocol.model.TensorLabels;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;

/**
 * {@code scripts/credence demo}: on a network that {@code up} started, a sample dApp
 * (ExampleConsumer) asks the demo classifier about five flowers in one transaction, with callbacks;
 * the demo waits for the receipts, prints each answer with its receipt and the fee split (from the
 * indexer), then the model's author claims its reward. All of it is then in the explorer.
 *
 * <p>Over 400 lines: the demo is one script read top to bottom; its signed-request part is its own
 * class (DemoSigned).
 */
final class DemoRun {
  /** The dApp's owner (anvil dev account 7). */
  static final Credentials DAPP = AnvilNode.devAccount(7);

  /** The most per gas the demo's requests pay back: far above a local chain's base fee. */
  static final BigInteger MAX_FEE_PER_GAS = BigInteger.valueOf(50_000_000_000L);

  /** The gas the demo dApp gives each callback (ExampleConsumer.CALLBACK_GAS). */
  static final BigInteger CALLBACK_GAS = BigInteger.valueOf(300_000);

  private final AnvilNode anvil;
  private final DeploymentManifest d;
  private final Path demo;
  private final Path home;
  private final String indexer;
  private final String relayer;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  DemoRun(
      AnvilNode anvil, DeploymentManifest d, Path demo, Path home, String indexer, String relayer) {
    this.indexer = indexer;
    this.relayer = relayer;
    this.anvil = anvil;
    this.d = d;
    this.demo = demo;
    this.home = home;
  }

  int run() throws Exception {
    var gas = ContractDeployer.gas(anvil.chainId());
    String hubAddress = d.address(DeploymentManifest.INFERENCE_HUB);
    ExampleConsumer dapp = dapp(hubAddress, gas);
    Path cardFile = demo.resolve("iris-classifier.json");
    ModelCard card =
        ModelCard.read(cardFile)
            .orElseThrow(() ->
                new IllegalStateException("the demo model's card " + cardFile + " is missing"));
    List<String> classes = card.output().labels();

    List<Flower> asked = flowers();
    List<byte[]> inputs = new ArrayList<>();
    for (Flower r : asked) {
      inputs.add(
          TensorCodec.encode(
              List.of(
                  Tensor.ofFloat32(
                      "features",
                      new long[] {1, 4},
                      (float) r.petalLength(),
                      (float) r.petalWidth(),
                      (float) r.sepalLength(),
                      (float) r.sepalWidth()))));
    }
    // the dApp pays gas back at up to MAX_FEE_PER_GAS: the hub quotes the fee and the allowance
    // that cover one answer with its callback
    var quote =
        InferenceHub.load(hubAddress, anvil.web3j(), anvil.transactionManager(DAPP), gas)
            .quote(BigInteger.ONE, CALLBACK_GAS, MAX_FEE_PER_GAS)
            .send();
    BigInteger fee = quote.component1();
    BigInteger each = fee.add(quote.component2());
    System.out.println(
        "dApp "
            + dapp.getContractAddress()
            + " asks the demo classifier (model 1) about "
            + asked.size()
            + " flowers in one transaction, "
            + fee
            + " wei each, with callbacks");
    var tx =
        dapp.classifyMany(
                BigInteger.ONE,
                inputs,
                BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(600)),
                MAX_FEE_PER_GAS,
                each.multiply(BigInteger.valueOf(asked.size())))
            .send();
    List<Long> ids =
        InferenceHub.getInferenceRequestedEvents(tx).stream()
            .map(e -> e.requestId.longValueExact())
            .toList();
    System.out.println("requests " + ids + " (transaction " + tx.getTransactionHash() + ")");

    Map<Long, Log> settled = awaitSettled(hubAddress, ids);
    System.out.println();
    for (int i = 0; i < ids.size(); i++) {
      long id = ids.get(i);
      Flower r = asked.get(i);
      var answer = dapp.answers(BigInteger.valueOf(id)).send();
      var event = InferenceHub.getInferenceSettledEventFromLog(settled.get(id));
      String probabilities =
          TensorLabels.decode(event.output, card, TensorLabels.Side.OUTPUT).get(0).text();
      String predicted =
          answer.component3() ? classes.get(answer.component6().intValue()) : "(no callback yet)";
      System.out.printf(
          Locale.ROOT,
          "request %d: petal %.1f x %.1f cm, sepal %.1f x %.1f cm (a %s) -> %s   (%s)%n",
          id,
          r.petalLength(),
          r.petalWidth(),
          r.sepalLength(),
          r.sepalWidth(),
          r.species(),
          predicted,
          probabilities);
      System.out.println(
          "  receipt: output hash "
              + Hashes.hex(Hashes.keccak256(event.output))
              + ", settled in block "
              + settled.get(id).getBlockNumber()
              + " (transaction "
              + settled.get(id).getTransactionHash()
              + ")");
      split(id);
    }
    System.out.println();
    new DemoSigned(anvil, hubAddress, relayer, card).run();
    System.out.println();
    claim(hubAddress);
    System.out.println();
    audit(ids.get(0));
    System.out.println();
    System.out.println(
        "See it all in the explorer: "
            + indexer
            + "/#/request/"
            + ids.get(0)
            + "   and the author: "
            + indexer
            + "/#/account/"
            + DemoSetup.AUTHOR.getAddress().toLowerCase(Locale.ROOT));
    System.out.println(
        "Check a receipt against the chain alone: scripts/credence receipt verify "
            + ids.get(0)
            + " --model-file models/demo/iris-classifier.onnx");
    return 0;
  }

  /** A flower of the demo's datasets (the columns of iris-part-a.csv and iris-part-b.csv). */
  record Flower(
      double sepalLength,
      double sepalWidth,
      double petalLength,
      double petalWidth,
      String species) {}

  /**
   * Five flowers of the model's own datasets, of all three species: the 1st setosa, 11th versicolor
   * and 21st virginica of part a, the 1st setosa and 16th virginica of part b.
   */
  private List<Flower> flowers() throws IOException {
    List<Flower> a = readFlowers(demo.resolve("iris-part-a.csv"));
    List<Flower> b = readFlowers(demo.resolve("iris-part-b.csv"));
    return List.of(
        nth(a, "Iris-setosa", 0),
        nth(a, "Iris-versicolor", 10),
        nth(a, "Iris-virginica", 20),
        nth(b, "Iris-setosa", 0),
        nth(b, "Iris-virginica", 15));
  }

  private static Flower nth(List<Flower> flowers, String species, int n) {
    List<Flower> of = flowers.stream().filter(f -> f.species().equals(species)).toList();
    if (of.size() <= n) {
      throw new IllegalStateException(
          "the demo dataset has only "
              + of.size()
              + " flowers of "
              + species
              + " (scripts/models makes it)");
    }
    return of.get(n);
  }

  static List<Flower> readFlowers(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    if (lines.isEmpty()
        || !lines.get(0).equals("sepal_length,sepal_width,petal_length,petal_width,species")) {
      throw new IOException(
          csv
              + " is not a demo Iris dataset (its header is not sepal_length,sepal_width,petal_length,petal_width,species)");
    }
    List<Flower> flowers = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] c = line.split(",");
      flowers.add(
          new Flower(
              Double.parseDouble(c[0]),
              Double.parseDouble(c[1]),
              Double.parseDouble(c[2]),
              Double.parseDouble(c[3]),
              c[4]));
    }
    return flowers;
  }

  /** The demo dApp, deployed once per chain and remembered in .credence/. */
  private ExampleConsumer dapp(String hub, org.web3j.tx.gas.ContractGasProvider gas)
      throws Exception {
    Path file =
        home.resolve("demo-dapp-" + anvil.chainId() + "-" + hub.toLowerCase(Locale.ROOT) + ".txt");
    if (Files.exists(file)) {
      String address = Files.readString(file).trim();
      String code =
          anvil.web3j().ethGetCode(address, DefaultBlockParameterName.LATEST).send().getCode();
      if (code != null && code.length() > 2) {
        return ExampleConsumer.load(address, anvil.web3j(), anvil.transactionManager(DAPP), gas);
      }
    }
    ExampleConsumer dapp =
        ExampleConsumer.deploy(anvil.web3j(), anvil.transactionManager(DAPP), gas, hub).send();
    Files.createDirectories(home);
    Files.writeString(file, dapp.getContractAddress());
    return dapp;
  }

  private Map<Long, Log> awaitSettled(String hub, List<Long> ids) throws Exception {
    Map<Long, Log> settled = new HashMap<>();
    long start = System.nanoTime();
    long lastNote = 0;
    while (settled.size() < ids.size()) {
      if (System.nanoTime() - start > Duration.ofSeconds(120).toNanos()) {
        throw new IllegalStateException(
            "only "
                + settled.size()
                + " of "
                + ids.size()
                + " requests settled in 120 s: is the network up? (scripts/credence status, scripts/credence logs relayer)");
      }
      EthFilter filter =
          new EthFilter(
              DefaultBlockParameter.valueOf(BigInteger.valueOf(d.startBlock())),
              DefaultBlockParameterName.LATEST,
              hub);
      filter.addSingleTopic(EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT));
      for (var r : anvil.web3j().ethGetLogs(filter).send().getLogs()) {
        Log log = (Log) r.get();
        long id = InferenceHub.getInferenceSettledEventFromLog(log).requestId.longValueExact();
        if (ids.contains(id)) {
          settled.putIfAbsent(id, log);
        }
      }
      if (System.nanoTime() - lastNote > 1_000_000_000L) {
        lastNote = System.nanoTime();
        System.out.printf(
            Locale.ROOT,
            "  %d of %d settled (%.0f s)%n",
            settled.size(),
            ids.size(),
            (lastNote - start) / 1e9);
      }
      Thread.sleep(250);
    }
    return settled;
  }

  /** The fee split of one request, as the indexer shows it (waits for the indexer to catch up). */
  private void split(long id) throws IOException, InterruptedException {
    for (int attempt = 0; attempt < 40; attempt++) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(indexer + "/v1/requests/" + id))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode split =
          r.statusCode() == 200 ? ProtocolJson.mapper().readTree(r.body()).path("split") : null;
      if (split != null && !split.isMissingNode() && !split.isNull()) {
        StringBuilder line =
            new StringBuilder("  fee split (wei): protocol " + split.path("protocol").asText());
        split
            .path("workers")
            .forEach(w ->
                line.append(", worker ")
                    .append(abbrev(w.path("operator").asText()))
                    .append(' ')
                    .append(w.path("amount").asText()));
        split
            .path("contributors")
            .forEach(c ->
                line.append(", ")
                    .append(c.path("role").asText())
                    .append(' ')
                    .append(abbrev(c.path("account").asText()))
                    .append(' ')
                    .append(c.path("amount").asText()));
        System.out.println(line);
        return;
      }
      Thread.sleep(250);
    }
    System.out.println(
        "  fee split: the indexer has not shown this request yet ("
            + indexer
            + "/#/request/"
            + id
            + ")");
  }

  /**
   * Waits for the first answer's audit (every answer of the demo model is audited by two other
   * staked workers) and prints its outcome as the indexer tells it. The audit's seed is the hash of
   * the block after the settlement's, and a quiet local chain mines no block by itself: the demo
   * mines one now and then.
   */
  private void audit(long id) throws IOException, InterruptedException {
    System.out.println(
        "request "
            + id
            + " is audited: two other workers re-run it and sign whether they agree (DisputeCourt)");
    long start = System.nanoTime();
    while (System.nanoTime() - start < Duration.ofSeconds(120).toNanos()) {
      anvil.mine(1);
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(indexer + "/v1/requests/" + id))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        JsonNode a = ProtocolJson.mapper().readTree(r.body()).path("accountability");
        String summary = a.path("summary").asText("");
        boolean resolved = false;
        for (JsonNode dispute : a.path("disputes")) {
          String state = dispute.path("state").asText();
          resolved |= !state.equals("AWAITING_JURY") && !state.equals("VOTING");
        }
        if (resolved) {
          System.out.println("  audit: " + summary + "   " + indexer + "/#/request/" + id);
          return;
        }
      }
      Thread.sleep(500);
    }
    System.out.println(
        "  audit: not resolved within 120 s (scripts/credence logs relayer, juror-1, juror-2); see "
            + indexer
            + "/#/request/"
            + id);
  }

  /**
   * {@code --liar}: a staked key answers one question wrong on purpose, and the audit catches it.
   * The key is fresh each time (a slashed key is banned for good) and staked at the minimum; the
   * relayer's dispatch is paused while the demo hands it the liar's signed answer over Kafka (so no
   * honest worker answers first), then resumed. Every answer of the demo model is audited: the jury
   * of the other workers disagrees, the liar's stake is seized and the requester refunded.
   */
  int lie(String relayer, String adminToken, String kafka) throws Exception {
    var gas = ContractDeployer.gas(anvil.chainId());
    String hubAddress = d.address(DeploymentManifest.INFERENCE_HUB);
    String workers = d.address(DeploymentManifest.WORKER_REGISTRY);
    Credentials liar =
        Credentials.create(
            Hashes.hex(Hashes.keccak256(("credence demo liar " + System.nanoTime()).getBytes())));
    BigInteger minStake =
        WorkerRegistry.load(workers, anvil.web3j(), anvil.transactionManager(DAPP), gas)
            .minStake()
            .send();
    DemoSetup.registerWorker(anvil, workers, liar, DemoSetup.WORKER_OPERATOR, minStake);
    System.out.println(
        "--liar: key "
            + liar.getAddress()
            + " staked "
            + minStake
            + " wei and will answer one question wrong on purpose (a demo only)");
    InferenceHub hub =
        InferenceHub.load(hubAddress, anvil.web3j(), anvil.transactionManager(DAPP), gas);
    var quote = hub.quote(BigInteger.ONE, BigInteger.ZERO, MAX_FEE_PER_GAS).send();
    byte[] input =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 1.4f, 0.2f, 5.1f, 3.5f)));
    admin(relayer, adminToken, "pause");
    long id;
    try {
      var tx =
          hub.requestInference(
                  BigInteger.ONE,
                  input,
                  BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(600)),
                  "0x0000000000000000000000000000000000000000",
                  BigInteger.ZERO,
                  quote.component2(),
                  MAX_FEE_PER_GAS,
                  quote.component1().add(quote.component2()))
              .send();
      id = InferenceHub.getInferenceRequestedEvents(tx).get(0).requestId.longValueExact();
      // all the probability on the wrong class: this flower is a setosa
      byte[] output =
          TensorCodec.encode(
              List.of(Tensor.ofFloat32("probabilities", new long[] {1, 3}, 0f, 0f, 1f)));
      long executedAt = new ChainTime(anvil.web3j()).nextBlockTimestamp();
      InferenceReceipt receipt =
          new InferenceReceipt(
              BigInteger.valueOf(id),
              hub.modelTerms(BigInteger.ONE).send().component1(),
              Hashes.keccak256(input),
              Hashes.keccak256(output),
              executedAt);
      byte[] signature =
          new ReceiptSigner(liar).sign(receipt, Eip712Domain.credence(anvil.chainId(), hubAddress));
      ResultMessage result =
          new ResultMessage(
              id,
              liar.getAddress(),
              ResultMessage.Status.OK,
              Base64.getEncoder().encodeToString(output),
              Hashes.hex(Hashes.keccak256(output)),
              executedAt,
              Hashes.hex(signature),
              null,
              null,
              Map.of());
      KafkaBroker.attach(kafka)
          .send(
              Topics.RESULTS, Long.toString(id), ProtocolJson.mapper().writeValueAsString(result));
      System.out.println("request " + id + ": the liar's answer sent to the relayer");
      awaitSettled(hubAddress, List.of(id));
    } finally {
      admin(relayer, adminToken, "resume");
    }
    System.out.println("request " + id + " settled with the lie; its audit follows");
    long start = System.nanoTime();
    while (System.nanoTime() - start < Duration.ofSeconds(120).toNanos()) {
      anvil.mine(1);
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(indexer + "/v1/requests/" + id))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        JsonNode a = ProtocolJson.mapper().readTree(r.body()).path("accountability");
        for (JsonNode dispute : a.path("disputes")) {
          if (dispute.path("state").asText().equals("FAULT_PROVEN")) {
            System.out.println(
                "  lie caught: "
                    + a.path("summary").asText()
                    + "   "
                    + indexer
                    + "/#/request/"
                    + id);
            return 0;
          }
        }
      }
      Thread.sleep(500);
    }
    System.out.println("  the lie was not proven within 120 s: " + indexer + "/#/request/" + id);
    return 1;
  }

  private void admin(String relayer, String token, String what)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(relayer + "/v1/admin/dispatch/" + what))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "the relayer refused to " + what + " dispatch: HTTP " + r.statusCode() + " " + r.body());
    }
  }

  private void claim(String hubAddress) throws Exception {
    InferenceHub asAuthor =
        InferenceHub.load(
            hubAddress,
            anvil.web3j(),
            anvil.transactionManager(DemoSetup.AUTHOR),
            ContractDeployer.gas(anvil.chainId()));
    BigInteger claimable = asAuthor.claimable(DemoSetup.AUTHOR.getAddress()).send();
    var tx = asAuthor.claim(List.of(BigInteger.ONE)).send();
    BigInteger paid = InferenceHub.getClaimedEvents(tx).get(0).amount;
    System.out.println(
        "The model's author "
            + DemoSetup.AUTHOR.getAddress().toLowerCase(Locale.ROOT)
            + " claims its reward: "
            + paid
            + " wei paid (claimable was "
            + claimable
            + " wei; transaction "
            + tx.getTransactionHash()
            + ")");
  }

  private static String abbrev(String address) {
    return address.length() > 10 ? address.substring(0, 10) + "…" : address;
  }
}
