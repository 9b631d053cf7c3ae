package io.credence.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.contracts.InferenceHub;
import io.credence.devnet.Checkout;
import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.process.Ports;
import io.credence.localnet.DemoSetup;
import io.credence.protocol.deploy.DeploymentManifest;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.settlement.FeeSplit;
import io.credence.protocol.settlement.PoolShares;
import io.credence.testkit.TestInfra;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * The network the way a user runs it, through the scripts: {@code credence up} on ports and a data
 * directory of its own, {@code credence demo} (a dApp's requests with callbacks, settled by the
 * worker and the relayer, a claim), the indexer's receipt pages, {@code credence receipt verify},
 * then {@code credence down}, which must leave nothing running. Every amount is checked to the wei
 * against the chain.
 */
class NetworkE2eIT {
  private final Path root = Checkout.root();
  private final Map<String, String> env = new HashMap<>();
  private Path home;

  private record Run(int code, String out) {}

  private Run credence(Duration timeout, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("bash", root.resolve("scripts/credence").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Path log = home.resolve("credence-" + args[0] + "-" + System.nanoTime() + ".out");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "credence "
              + String.join(" ", args)
              + " did not finish in "
              + timeout.toSeconds()
              + " s:\n"
              + Files.readString(log));
    }
    return new Run(p.exitValue(), Files.readString(log));
  }

  @Test
  void upDemoVerifyClaimDownAsAUserWould() throws Exception {
    home =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target").toAbsolutePath()), "credence-home");
    int anvilPort = Ports.free();
    int indexerPort = Ports.free();
    int relayerPort = Ports.free();
    env.put("CREDENCE_HOME", home.toString());
    env.put("CREDENCE_DEPLOYMENTS", home.resolve("deployments").toString());
    env.put("CREDENCE_ANVIL_PORT", Integer.toString(anvilPort));
    env.put("CREDENCE_KAFKA_PORT", Integer.toString(Ports.free()));
    env.put("CREDENCE_KAFKA_CONTROLLER_PORT", Integer.toString(Ports.free()));
    env.put("CREDENCE_WORKER_PORT", Integer.toString(Ports.free()));
    env.put("CREDENCE_JUROR_1_PORT", Integer.toString(Ports.free()));
    env.put("CREDENCE_JUROR_2_PORT", Integer.toString(Ports.free()));
    env.put("CREDENCE_RELAYER_PORT", Integer.toString(relayerPort));
    env.put("CREDENCE_INDEXER_PORT", Integer.toString(indexerPort));
    // the run's PostgreSQL (a server, or testkit's embedded one), in a database of this test's own
    var pg = java.net.URI.create(TestInfra.postgres().jdbcUrl().substring("jdbc:".length()));
    env.put("CREDENCE_PG_HOST", pg.getHost());
    env.put("CREDENCE_PG_PORT", Integer.toString(pg.getPort()));
    env.put("CREDENCE_PG_USER", TestInfra.postgres().user());
    env.put("CREDENCE_PG_DATABASE", "credence_e2e_" + UUID.randomUUID().toString().substring(0, 8));
    try {
      Run up = credence(Duration.ofMinutes(8), "up");
      assertThat(up.code()).as(up.out()).isZero();
      assertThat(up.out())
          .contains("Credence is up", "demo       registered the Iris classifier as model 1");
      Run again = credence(Duration.ofMinutes(2), "up");
      assertThat(again.code()).as(again.out()).isZero();
      assertThat(again.out())
          .contains(
              "contracts  already deployed",
              "demo       model already registered",
              "worker     already running");

      // a chain that sat idle for an hour: its latest block is an hour older than the next one will
      // be, so a deadline counted from the latest block would already be past (DeadlineInPast)
      AnvilNode.attach("http://127.0.0.1:" + anvilPort).sitIdle(3_600);
      Run demo = credence(Duration.ofMinutes(3), "demo");
      assertThat(demo.code()).as(demo.out()).isZero();
      // the answers' probabilities labelled with the model card's classes
      assertThat(demo.out()).contains("Iris-versicolor 0.", "Iris-virginica 0.", "Iris-setosa 0.");
      Matcher m = Pattern.compile("requests \\[([0-9, ]+)\\]").matcher(demo.out());
      assertThat(m.find()).as(demo.out()).isTrue();
      List<Long> ids =
          Pattern.compile(",\\s*").splitAsStream(m.group(1)).map(Long::parseLong).toList();
      assertThat(ids).hasSize(5);
      // every answer of the demo model is audited: the first one's audit, as the explorer says it
      assertThat(demo.out()).as(demo.out()).contains("audit: audited by 2 jurors, all agree");
      // a user with no ETH asks over HTTP, signed, paid from a vault deposit
      assertThat(demo.out())
          .as(demo.out())
          .containsPattern(
              "signed request [0-9]+: 0x[0-9a-f]{40} asked over HTTP with no ETH \\(balance 0 wei\\)");

      AnvilNode anvil = AnvilNode.attach("http://127.0.0.1:" + anvilPort);
      DeploymentManifest d =
          DeploymentManifest.read(
              DeploymentManifest.file(home.resolve("deployments"), anvil.chainId()));
      InferenceHub hub =
          InferenceHub.load(
              d.address(DeploymentManifest.INFERENCE_HUB),
              anvil.web3j(),
              new ReadonlyTransactionManager(anvil.web3j(), null),
              new DefaultGasProvider());
      BigInteger fee = hub.modelTerms(BigInteger.ONE).send().component2();
      // the dApp's callbacks ran: each answer is recorded in the dApp contract, and is the argmax
      // of the output
      Path dappFile;
      try (var files = Files.list(home)) {
        dappFile =
            files
                .filter(f -> f.getFileName().toString().startsWith("demo-dapp-"))
                .findFirst()
                .orElseThrow();
      }
      var dapp =
          io.credence.contracts.ExampleConsumer.load(
              Files.readString(dappFile).trim(),
              anvil.web3j(),
              new ReadonlyTransactionManager(anvil.web3j(), null),
              new DefaultGasProvider());
      HttpClient http = HttpClient.newHttpClient();
      for (long id : ids) {
        assertThat(hub.isPending(BigInteger.valueOf(id)).send())
            .as("request %d settled", id)
            .isFalse();
        var answer = dapp.answers(BigInteger.valueOf(id)).send();
        assertThat(answer.component3()).as("request %d answered by callback", id).isTrue();
        assertThat(answer.component2()).as("the dApp's record of the fee").isEqualTo(fee);
        JsonNode receipt =
            ProtocolJson.mapper()
                .readTree(
                    http.send(
                            HttpRequest.newBuilder(
                                    URI.create(
                                        "http://127.0.0.1:" + indexerPort + "/v1/requests/" + id))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body());
        assertThat(receipt.path("state").asText()).isEqualTo("SETTLED");
        // the explorer labels the output from the model card beside the demo's model file
        assertThat(
                receipt
                    .path("outcome")
                    .path("decodedOutput")
                    .path("tensors")
                    .get(0)
                    .path("text")
                    .asText())
            .as("the indexer's decoded output of request %d", id)
            .contains("Iris-versicolor ", "Iris-virginica ", "Iris-setosa ");
        // the split to the wei: 5 % protocol, 20 % the worker, the rest to the contributors by
        // share
        FeeSplit.Parts parts = new FeeSplit(500, 2_000).divide(fee, 1);
        assertThat(receipt.path("split").path("protocol").asText())
            .isEqualTo(parts.protocol().toString());
        assertThat(receipt.path("split").path("workers").get(0).path("amount").asText())
            .isEqualTo(parts.workerEach().toString());
        assertThat(receipt.path("split").path("contributorsTotal").asText())
            .isEqualTo(parts.pool().toString());
        assertThat(demo.out()).contains("request " + id + ": ");
      }
      // the author's claim: what the demo printed is what the chain paid, and nothing is left to
      // claim
      Matcher claim = Pattern.compile("claims its reward: (\\d+) wei paid").matcher(demo.out());
      assertThat(claim.find()).isTrue();
      EthFilter claims =
          new EthFilter(
              DefaultBlockParameter.valueOf(BigInteger.valueOf(d.startBlock())),
              DefaultBlockParameterName.LATEST,
              d.address(DeploymentManifest.INFERENCE_HUB));
      claims.addSingleTopic(org.web3j.abi.EventEncoder.encode(InferenceHub.CLAIMED_EVENT));
      var logs = anvil.web3j().ethGetLogs(claims).send().getLogs();
      var last =
          InferenceHub.getClaimedEventFromLog(
              (org.web3j.protocol.core.methods.response.Log) logs.get(logs.size() - 1).get());
      assertThat(last.account).isEqualToIgnoringCase(DemoSetup.AUTHOR.getAddress());
      assertThat(last.amount).isEqualTo(new BigInteger(claim.group(1)));
      // six requests' pools (the dApp's five and the signed one, each paying the model's fee),
      // divided as the vault divides them: author 60 %, each data provider 20 %
      BigInteger pools =
          new FeeSplit(500, 2_000).divide(fee, 1).pool().multiply(BigInteger.valueOf(6));
      BigInteger authorShare =
          PoolShares.divide(
              pools,
              List.of(
                  new PoolShares.Contributor("author", 1, 6_000),
                  new PoolShares.Contributor("provider 1", 2, 2_000),
                  new PoolShares.Contributor("provider 2", 2, 2_000)))[0];
      assertThat(last.amount)
          .as("the author's share of six pools, contributor 0's remainder included")
          .isEqualTo(authorShare);
      assertThat(hub.claimable(DemoSetup.AUTHOR.getAddress()).send()).isZero();

      Run verify =
          credence(
              Duration.ofMinutes(2),
              "--rpc",
              "http://127.0.0.1:" + anvilPort,
              "--deployment",
              DeploymentManifest.file(home.resolve("deployments"), anvil.chainId()).toString(),
              "receipt",
              "verify",
              Long.toString(ids.get(0)),
              "--model-file",
              DemoSetup.files(root).resolve("iris-classifier.onnx").toString());
      assertThat(verify.code()).as(verify.out()).isZero();
      assertThat(verify.out()).contains("verified: every check passed");

      // the CLI's signed path: a funded account deposits for a key that never holds ETH, which
      // then asks, signed, through the relayer
      org.web3j.crypto.Credentials signer =
          org.web3j.crypto.Credentials.create(
              io.credence.protocol.Hashes.hex(
                  io.credence.protocol.Hashes.keccak256("e2e signed requester".getBytes())));
      List<String> chain =
          List.of(
              "--rpc",
              "http://127.0.0.1:" + anvilPort,
              "--deployment",
              DeploymentManifest.file(home.resolve("deployments"), anvil.chainId()).toString());
      Path flower = home.resolve("flower.json");
      Files.writeString(
          flower,
          "[{\"name\":\"features\",\"dtype\":\"float32\",\"shape\":[1,4],\"data\":[1.4,0.2,5.1,3.5]}]");
      env.put("CREDENCE_KEY_HEX", keyHex(AnvilNode.devAccount(8)));
      List<String> deposit = new ArrayList<>(chain);
      deposit.addAll(List.of("deposit", "20000000000000000", "--for", signer.getAddress()));
      Run deposited = credence(Duration.ofMinutes(2), deposit.toArray(String[]::new));
      assertThat(deposited.code()).as(deposited.out()).isZero();
      env.put("CREDENCE_KEY_HEX", keyHex(signer));
      List<String> infer = new ArrayList<>(chain);
      infer.addAll(
          List.of(
              "infer",
              "--signed",
              "--relayer",
              "http://127.0.0.1:" + relayerPort,
              "--model",
              "1",
              "--input",
              flower.toString()));
      Run signed = credence(Duration.ofMinutes(3), infer.toArray(String[]::new));
      env.remove("CREDENCE_KEY_HEX");
      assertThat(signed.code()).as(signed.out()).isZero();
      assertThat(signed.out()).contains("and submitted by the relayer", "\"probabilities\"");
      assertThat(
              anvil
                  .web3j()
                  .ethGetBalance(
                      signer.getAddress(), org.web3j.protocol.core.DefaultBlockParameterName.LATEST)
                  .send()
                  .getBalance())
          .as("the signer never held ETH")
          .isZero();

      // --liar: a staked key answers wrong on purpose; the audit proves it and slashes the key
      Run lie = credence(Duration.ofMinutes(5), "demo", "--liar");
      assertThat(lie.code()).as(lie.out()).isZero();
      assertThat(lie.out()).contains("lie caught: ", "fault proven");
    } finally {
      Run down = credence(Duration.ofMinutes(2), "down");
      assertThat(down.code()).as(down.out()).isZero();
      String marker = home.toString();
      assertThat(
              ProcessHandle.allProcesses()
                  .filter(p -> p.info().commandLine().orElse("").contains(marker))
                  .toList())
          .as("processes left running under " + marker)
          .isEmpty();
      assertThat(Ports.listening(anvilPort)).isFalse();
      assertThat(Ports.listening(indexerPort)).isFalse();
      assertThat(Ports.listening(relayerPort)).isFalse();
    }
  }

  private static String keyHex(org.web3j.crypto.Credentials key) {
    return org.web3j.utils.Numeric.toHexStringNoPrefixZeroPadded(
        key.getEcKeyPair().getPrivateKey(), 64);
  }
}
