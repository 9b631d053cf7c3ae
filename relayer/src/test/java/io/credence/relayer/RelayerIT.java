package io.credence.relayer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.contracts.InferenceHub;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.Hashes;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.ResultMessage;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.settlement.FeeSplit;
import io.credence.testkit.TestInfra;
import io.credence.testkit.network.LocalNetwork;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;

/**
 * The relayer with real workers, a real chain, broker and database: requests made on the hub end
 * settled once with the right split, refunded when a worker cannot serve them, expired when their
 * deadline passes; a forged result is never submitted; a quorum of two needs both workers.
 */
@QuarkusTest
@WithTestResource(RelayerNetworkResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayerIT {
  private static final Credentials DAPP = AnvilNode.devAccount(5);
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private final ObjectMapper json = ProtocolJson.mapper();

  private LocalNetwork net() {
    return RelayerNetworkResource.network;
  }

  @Test
  @Order(1)
  void manyRequestsEachSettleOnceWithTheRightSplit() throws Exception {
    LocalNetwork net = net();
    InferenceHub hub = net.hubAs(DAPP);
    long before = net.anvil.blockNumber();
    BigInteger protocolBefore = accruedAt(before);
    BigInteger poolBefore = hub.pendingPool(BigInteger.ONE).send();
    BigInteger operatorsBefore = operatorsBalance(hub);

    int n = 40;
    List<Long> ids = new ArrayList<>();
    // all requests are on-chain before any is dispatched, so their results arrive together and
    // batch,
    // however slowly this machine mines the requests
    admin().post("/v1/admin/dispatch/pause").then().statusCode(200);
    try {
      for (int i = 0; i < n; i++) {
        ids.add(net.request(DAPP, 1, LocalNetwork.input(i, 1.5f, -i, 0.25f), 3_600));
      }
      awaitView(ids.get(n - 1), v -> "SEEN".equals(v.getString("state")));
    } finally {
      admin().post("/v1/admin/dispatch/resume").then().statusCode(200);
    }
    for (long id : ids) {
      awaitState(id, "SETTLED");
    }
    // each request split as the hub splits it (model 1: quorum 1, the network's 5 % / 20 %)
    FeeSplit.Parts each = new FeeSplit(500, 2_000).divide(LocalNetwork.FEE, 1);
    BigInteger requests = BigInteger.valueOf(n);
    // what accrued, less what the court paid from it meanwhile (its audits' gas), read at one block
    long after = net.anvil.blockNumber();
    assertThat(accruedAt(after).subtract(protocolBefore).add(courtPaidFromAccrued(before, after)))
        .isEqualTo(each.protocol().multiply(requests));
    assertThat(operatorsBalance(hub).subtract(operatorsBefore))
        .isEqualTo(each.workers(1).multiply(requests));
    assertThat(hub.pendingPool(BigInteger.ONE).send().subtract(poolBefore))
        .isEqualTo(each.pool().multiply(requests));

    Map<Long, Integer> settledEvents = new HashMap<>();
    for (var log : hubLogs(InferenceHub.INFERENCESETTLED_EVENT)) {
      settledEvents.merge(
          InferenceHub.getInferenceSettledEventFromLog(log).requestId.longValueExact(),
          1,
          Integer::sum);
    }
    for (long id : ids) {
      assertThat(settledEvents.get(id)).as("settlements of request %d", id).isEqualTo(1);
      JsonPath view = view(id);
      assertThat(view.getString("receipt.outcome")).isEqualTo("OK");
      assertThat(view.getList("attempts")).hasSize(1);
      assertThat(view.getString("closedInTx")).startsWith("0x");
    }
    assertThat(hubLogs(InferenceHub.RECEIPTSKIPPED_EVENT))
        .as("no receipt submitted twice")
        .isEmpty();
    // batching: fewer settlement transactions than receipts
    long txs =
        hubLogs(InferenceHub.INFERENCESETTLED_EVENT).stream()
            .map(l -> l.getTransactionHash())
            .distinct()
            .count();
    assertThat(txs).isLessThan(n);

    // the hub paid the wallet back at least what its settlements cost it: each mined settlement's
    // GasReimbursed credit against its gas used times its effective price. The network's first
    // settlement is left out: it writes the relayer's and the worker operator's vault balances for
    // the first time ever (a new slot each, 17 100 gas more, once per account), which no request
    // pays for
    BigInteger spent = BigInteger.ZERO;
    BigInteger credited = BigInteger.ZERO;
    List<String> settlements =
        hubLogs(InferenceHub.INFERENCESETTLED_EVENT).stream()
            .map(l -> l.getTransactionHash())
            .distinct()
            .toList();
    for (String tx : settlements.subList(1, settlements.size())) {
      var receipt =
          net.anvil
              .web3j()
              .ethGetTransactionReceipt(tx)
              .send()
              .getTransactionReceipt()
              .orElseThrow();
      spent =
          spent.add(
              receipt
                  .getGasUsed()
                  .multiply(
                      org.web3j.utils.Numeric.decodeQuantity(receipt.getEffectiveGasPrice())));
      credited = credited.add(InferenceHub.getGasReimbursedEvents(receipt).get(0).credited);
    }
    assertThat(credited).as("paid back at least what settling cost").isGreaterThanOrEqualTo(spent);
    assertThat(
            new java.math.BigDecimal(credited)
                .divide(new java.math.BigDecimal(spent), 4, java.math.RoundingMode.HALF_EVEN))
        .as("and within 10 %% of it")
        .isLessThanOrEqualTo(new java.math.BigDecimal("1.10"));
  }

  @Test
  @Order(2)
  void aRequestTheWorkerCannotServeIsRefunded() throws Exception {
    LocalNetwork net = net();
    InferenceHub hub = net.hubAs(DAPP);
    BigInteger before = hub.balanceOf(DAPP.getAddress()).send();
    byte[] wrongShape =
        io.credence.protocol.tensor.TensorCodec.encode(
            List.of(
                io.credence.protocol.tensor.Tensor.ofFloat32(
                    "features", new long[] {1, 3}, 1f, 2f, 3f)));
    long id = net.request(DAPP, 1, wrongShape, 3_600);
    JsonPath view = awaitState(id, "REFUNDED");
    assertThat(view.getString("receipt.outcome")).isEqualTo("FAILED");
    assertThat(view.getInt("receipt.reason")).isEqualTo(2); // INPUT_MISMATCH
    assertThat(hub.balanceOf(DAPP.getAddress()).send().subtract(before))
        .as("the fee, and what the gas allowance did not spend")
        .isEqualTo(LocalNetwork.FEE.add(net.gasReturned(id)));
  }

  @Test
  @Order(3)
  void aForgedResultIsNeverSubmittedAndAMissedDeadlineIsRefunded() throws Exception {
    LocalNetwork net = net();
    InferenceHub hub = net.hubAs(DAPP);
    given().when().post("/v1/admin/dispatch/pause").then().statusCode(401);
    given().auth().oauth2("wrong").when().post("/v1/admin/dispatch/pause").then().statusCode(401);
    admin().post("/v1/admin/dispatch/pause").then().statusCode(200).body("paused", is(true));
    try {
      byte[] input = LocalNetwork.input(1, 2, 3, 4);
      long id = net.request(DAPP, 1, input, 600);
      awaitView(id, v -> "SEEN".equals(v.getString("state")));
      var model = hub.modelTerms(BigInteger.ONE).send();
      byte[] output = Hashes.keccak256("made up".getBytes());
      long executedAt = net.anvil.latestTimestamp();
      // signed by a key that is no registered worker, and a real worker's address with a signature
      // that is not its own
      Credentials stranger = Credentials.create("0x" + "42".repeat(32));
      byte[] digest =
          new InferenceReceipt(
                  BigInteger.valueOf(id),
                  model.component1(),
                  Hashes.keccak256(input),
                  Hashes.keccak256(output),
                  executedAt)
              .digest(
                  io.credence.protocol.receipt.Eip712Domain.credence(
                      net.anvil.chainId(), net.hub()));
      byte[] strangerSig = new ReceiptSigner(stranger).sign(digest);
      publish(id, result(id, stranger.getAddress(), output, executedAt, strangerSig));
      publish(
          id,
          result(
              id, LocalNetwork.WORKER_KEYS.get(0).getAddress(), output, executedAt, strangerSig));
      String poison = "{\"this is\": \"not a result\" " + java.util.UUID.randomUUID();
      publish(id, poison);
      var dead =
          TestInfra.kafka()
              .awaitRecord(
                  net.resultsTopic + ".dlq", r -> poison.equals(r.value()), Duration.ofSeconds(30));
      assertThat(dead.headers().lastHeader("dead-letter-reason"))
          .as("the reason travels with a dead letter")
          .isNotNull();
      JsonPath view = awaitView(id, v -> v.getList("rejected").size() == 2);
      assertThat(view.getString("state")).isEqualTo("SEEN");
      assertThat(view.getList("transactions")).isEmpty();
      assertThat(view.getString("rejected[0].why")).contains("not an active worker");
      assertThat(view.getString("rejected[1].why")).contains("signature is not");

      // nobody serves it: once the deadline passed the relayer expires it and the requester is
      // refunded, on a chain that mined no block since (the next block's time is past it, the
      // latest block's is not)
      BigInteger before = hub.balanceOf(DAPP.getAddress()).send();
      net.anvil.sitIdle(601);
      awaitState(id, "EXPIRED");
      assertThat(hub.balanceOf(DAPP.getAddress()).send().subtract(before))
          .as("the fee, and what the gas allowance did not spend")
          .isEqualTo(LocalNetwork.FEE.add(net.gasReturned(id)));
    } finally {
      admin().post("/v1/admin/dispatch/resume").then().statusCode(200).body("paused", is(false));
    }
    given()
        .when()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("credence_relayer_results_total{verdict=\"rejected\"}"));
  }

  @Test
  @Order(4)
  void aQuorumOfTwoIsSignedByBothWorkers() throws Exception {
    LocalNetwork net = net();
    long id = net.request(DAPP, 2, LocalNetwork.input(0.5f, 0.5f, 0.5f, 0.5f), 3_600);
    JsonPath view = awaitState(id, "SETTLED");
    assertThat(view.getList("results.worker"))
        .containsExactlyInAnyOrderElementsOf(
            // the two running workers (keys 0 and 1; keys 2 and 3 are staked, for juries)
            LocalNetwork.WORKER_KEYS.subList(0, 2).stream().map(k -> k.getAddress()).toList());
    var settled =
        hubLogs(InferenceHub.INFERENCESETTLED_EVENT).stream()
            .map(InferenceHub::getInferenceSettledEventFromLog)
            .filter(e -> e.requestId.longValueExact() == id)
            .toList();
    assertThat(settled).hasSize(1);
    assertThat(settled.get(0).proofs).hasSize(2 * ReceiptProofs.PROOF_BYTES);
  }

  @Test
  @Order(5)
  void badQueriesGetAClearError() {
    given()
        .when()
        .get("/v1/requests/abc")
        .then()
        .statusCode(400)
        .body("error", containsString("positive integer"));
    given()
        .when()
        .get("/v1/requests/999999")
        .then()
        .statusCode(404)
        .body("error", containsString("not been seen"));
    admin().post("/v1/admin/requests/999999/retry").then().statusCode(404);
  }

  @Test
  @Order(6)
  void readyPerDependencyWithMetricsAndOpenApi() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", is("UP"))
        .body(
            "checks.name",
            org.hamcrest.Matchers.hasItems(
                "chain",
                "relayer",
                "Kafka connection health check",
                "Database connections health check"))
        .body("checks.status", org.hamcrest.Matchers.everyItem(is("UP")));
    given().when().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    given()
        .when()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("credence_relayer_requests{state=\"settled\"}"))
        .body(containsString("credence_relayer_gas_per_receipt"))
        .body(containsString("credence_relayer_request_seconds"))
        .body(containsString("credence_relayer_wallet_balance_eth"));
    given()
        .when()
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body(containsString("Credence Relayer"))
        .body(containsString("/v1/requests/{id}"));
  }

  private static io.restassured.specification.RequestSpecification admin() {
    return given().auth().oauth2(LocalNetwork.ADMIN_TOKEN).when();
  }

  private static BigInteger operatorsBalance(InferenceHub hub) throws Exception {
    BigInteger sum = BigInteger.ZERO;
    for (Credentials op : new java.util.LinkedHashSet<>(LocalNetwork.OPERATORS)) {
      sum = sum.add(hub.balanceOf(op.getAddress()).send());
    }
    return sum;
  }

  private String result(long id, String worker, byte[] output, long executedAt, byte[] signature)
      throws Exception {
    return json.writeValueAsString(
        new ResultMessage(
            id,
            worker,
            ResultMessage.Status.OK,
            Base64.getEncoder().encodeToString(output),
            Hashes.hex(Hashes.keccak256(output)),
            executedAt,
            Hashes.hex(signature),
            null,
            null,
            Map.of()));
  }

  private void publish(long id, String value) {
    TestInfra.kafka().send(net().resultsTopic, Long.toString(id), value);
  }

  /** The protocol's accrued share as of {@code block}. */
  private BigInteger accruedAt(long block) throws Exception {
    InferenceHub at = net().hubAs(DAPP);
    at.setDefaultBlockParameter(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)));
    return at.protocolFeesAccrued().send();
  }

  /** What the court paid its callers from the accrued share in blocks (from, to]. */
  private BigInteger courtPaidFromAccrued(long from, long to) throws Exception {
    return hubLogs(InferenceHub.PROTOCOLPAID_EVENT).stream()
        .filter(l -> l.getBlockNumber().longValueExact() > from)
        .filter(l -> l.getBlockNumber().longValueExact() <= to)
        .map(l -> InferenceHub.getProtocolPaidEventFromLog(l).fromAccrued)
        .reduce(BigInteger.ZERO, BigInteger::add);
  }

  private List<org.web3j.protocol.core.methods.response.Log> hubLogs(
      org.web3j.abi.datatypes.Event event) throws Exception {
    EthFilter filter =
        new EthFilter(
            DefaultBlockParameter.valueOf(BigInteger.valueOf(net().deployment.startBlock())),
            org.web3j.protocol.core.DefaultBlockParameterName.LATEST,
            net().hub());
    filter.addSingleTopic(org.web3j.abi.EventEncoder.encode(event));
    return net().anvil.web3j().ethGetLogs(filter).send().getLogs().stream()
        .map(r -> (org.web3j.protocol.core.methods.response.Log) r.get())
        .toList();
  }

  static JsonPath view(long id) {
    return given().when().get("/v1/requests/" + id).then().statusCode(200).extract().jsonPath();
  }

  static JsonPath awaitState(long id, String state) {
    return awaitView(id, v -> state.equals(v.getString("state")));
  }

  static JsonPath awaitView(long id, Predicate<JsonPath> done) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    JsonPath last = null;
    while (System.nanoTime() < deadline) {
      var r = given().when().get("/v1/requests/" + id);
      if (r.statusCode() == 200) {
        last = r.jsonPath();
        if (done.test(last)) {
          return last;
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError(
        "request "
            + id
            + " did not get there within "
            + SETTLE.toSeconds()
            + " s; last view: "
            + (last == null ? "none" : last.prettify()));
  }
}
