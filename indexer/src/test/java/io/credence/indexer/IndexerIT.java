package io.credence.indexer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.credence.contracts.InferenceHub;
import io.credence.devnet.node.AnvilNode;
import io.credence.indexer.ingest.Ingest;
import io.credence.indexer.store.IngestStore;
import io.credence.protocol.settlement.FeeSplit;
import io.credence.testkit.TestInfra;
import io.credence.testkit.quarkus.AnvilResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The indexer under test follows fresh contracts on the run's anvil while a scripted history emits
 * every event type; its answers are compared with the chain's own views. Then reorgs at several
 * depths happen while it indexes, and its whole state is compared, row by row, with a fresh index
 * of the final chain.
 */
@QuarkusTest
@WithTestResource(AnvilResource.class)
@WithTestResource(IndexerChainResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IndexerIT {
  private static History history;

  @Inject Follower follower;

  @io.quarkus.test.common.http.TestHTTPResource("/")
  java.net.URL root;

  private History history() throws Exception {
    if (history == null) {
      history = new History(TestInfra.anvil(), IndexerChainResource.deployment);
      history.run();
    }
    return history;
  }

  @Test
  @Order(1)
  void everyEventOfTheHistoryIsIndexed() throws Exception {
    history();
    awaitCaughtUp();
    Map<String, Long> counts = new HashMap<>();
    try (Connection c = connect(IndexerChainResource.schema)) {
      for (String q :
          List.of(
              "dataset",
              "model",
              "contributor",
              "worker",
              "request",
              "claim",
              "split_change",
              "treasury_change",
              "stake_event:kind",
              "outcome:kind",
              "request_note:kind",
              "model_change:kind",
              "setting_change:contract || '.' || name")) {
        String[] parts = q.split(":");
        String sql =
            parts.length == 1
                ? "SELECT '" + parts[0] + "', count(*) FROM " + parts[0]
                : "SELECT '"
                    + parts[0]
                    + ".' || "
                    + parts[1]
                    + ", count(*) FROM "
                    + parts[0]
                    + " GROUP BY 1";
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
          while (rs.next()) {
            counts.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
    }
    assertThat(counts)
        .containsEntry("dataset", 3L)
        .containsEntry("model", 3L)
        .containsEntry("contributor", 6L)
        .containsEntry("worker", 2L)
        .containsEntry("request", 11L)
        .containsEntry("split_change", 2L)
        .containsEntry("treasury_change", 2L)
        .containsEntry("claim", 4L)
        .containsEntry("stake_event.REGISTERED", 2L)
        .containsEntry("stake_event.ADDED", 1L)
        .containsEntry("stake_event.UNBONDING", 1L)
        .containsEntry("stake_event.WITHDRAWN", 1L)
        .containsEntry("stake_event.SLASHED", 1L)
        .containsEntry("outcome.SETTLED", 8L)
        .containsEntry("outcome.FAILED", 1L)
        .containsEntry("outcome.EXPIRED", 1L)
        .containsEntry("request_note.RECEIPT_SKIPPED", 1L)
        .containsEntry("request_note.CALLBACK_FAILED", 1L)
        .containsEntry("request_note.EQUIVOCATION", 1L)
        .containsEntry("model_change.VERSION_OF", 1L)
        .containsEntry("model_change.FEE", 1L)
        .containsEntry("model_change.RETIRED", 1L)
        .containsEntry("model_change.OWNER_PENDING", 1L)
        .containsEntry("model_change.OWNER", 1L)
        .containsEntry("setting_change.hub.paused", 1L)
        .containsEntry("setting_change.hub.unpaused", 1L)
        .containsKey("setting_change.hub.limits")
        .containsEntry("setting_change.modelRegistry.hub", 1L)
        .containsEntry("setting_change.workerRegistry.hub", 1L)
        .containsKey("setting_change.workerRegistry.slashRewardBps")
        .containsKey("setting_change.workerRegistry.minStake")
        .containsKey("setting_change.workerRegistry.unbondingDelay")
        .containsKey("setting_change.hub.owner")
        .containsKey("setting_change.modelRegistry.owner")
        .containsKey("setting_change.workerRegistry.owner");
  }

  @Test
  @Order(2)
  void everyAccountsMoneyEqualsTheVaultsOwnViews() throws Exception {
    history();
    awaitCaughtUp();
    assertAccountsMatchTheChain();
    try (Connection c = connect(IndexerChainResource.schema);
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    """
                    SELECT count(*) FILTER (WHERE n > 1), count(*) FILTER (WHERE settled > 1)
                    FROM (SELECT l.block_number, l.account, l.model_id, count(*) AS n,
                                 (SELECT count(*) FROM outcome o WHERE o.block_number = l.block_number AND o.kind = 'SETTLED') AS settled
                          FROM ledger l WHERE l.kind = 'WORKER' GROUP BY 1, 2, 3) per_block
                    """)) {
      rs.next();
      assertThat(rs.getLong(1)).as("WORKER rows of one block, operator and model").isZero();
      assertThat(rs.getLong(2))
          .as("blocks that settled several requests (their credits summed in one row)")
          .isPositive();
    }
  }

  @Test
  @Order(3)
  void modelsRequestsWorkersAndDatasetsAgreeWithTheChain() throws Exception {
    History h = history();
    awaitCaughtUp();
    var d = IndexerChainResource.deployment;
    // model 1: ownership moved, fee changed; model 2 retired; model 3 a new version of model 1
    var terms1 = d.inferenceHub().modelTerms(BigInteger.valueOf(h.m1)).send();
    JsonPath m1 =
        given().when().get("/v1/models/" + h.m1).then().statusCode(200).extract().jsonPath();
    assertThat(m1.getString("model.owner")).isEqualTo(History.NEW_OWNER.getAddress().toLowerCase());
    assertThat(m1.getString("model.fee")).isEqualTo(terms1.component2().toString());
    assertThat(m1.getString("model.sha256"))
        .isEqualTo(io.credence.protocol.Hashes.hex(terms1.component1()));
    assertThat(m1.getList("contributors")).hasSize(3);
    assertThat(m1.getLong("requests.total")).isEqualTo(8);
    assertThat(m1.getLong("requests.settled")).isEqualTo(5);
    assertThat(m1.getLong("requests.failed")).isEqualTo(1);
    assertThat(m1.getLong("requests.expired")).isEqualTo(1);
    assertThat(m1.getLong("requests.pending")).isEqualTo(1);
    assertThat(new BigInteger(m1.getString("pendingPool")))
        .isEqualTo(d.inferenceHub().pendingPool(BigInteger.valueOf(h.m1)).send());
    BigInteger fees = new BigInteger(m1.getString("earnings.fees"));
    assertThat(
            new BigInteger(m1.getString("earnings.protocol"))
                .add(new BigInteger(m1.getString("earnings.workers")))
                .add(new BigInteger(m1.getString("earnings.contributors"))))
        .as("every wei of the fees")
        .isEqualTo(fees);
    given()
        .when()
        .get("/v1/models/" + h.m2)
        .then()
        .statusCode(200)
        .body("model.retired", org.hamcrest.Matchers.is(true));
    given()
        .when()
        .get("/v1/models/" + h.m3)
        .then()
        .statusCode(200)
        .body("model.predecessor", org.hamcrest.Matchers.is((int) h.m1));

    // request 1: settled by K1 in a batch, at the first split (5 % protocol, 20 % workers)
    JsonPath r1 = given().when().get("/v1/requests/1").then().statusCode(200).extract().jsonPath();
    assertThat(r1.getString("state")).isEqualTo("SETTLED");
    assertThat(r1.getString("outcome.output"))
        .isEqualTo(io.credence.protocol.Hashes.hex("out 1".getBytes()));
    assertThat(r1.getList("signers.signer")).containsExactly(History.K1.getAddress().toLowerCase());
    assertThat(r1.getList("signers.operator"))
        .containsExactly(History.OP1.getAddress().toLowerCase());
    FeeSplit.Parts parts = new FeeSplit(500, 2_000).divide(History.FEE, 1);
    assertThat(r1.getString("split.protocol")).isEqualTo(parts.protocol().toString());
    assertThat(r1.getList("split.workers.amount")).containsExactly(parts.workerEach().toString());
    BigInteger pool = parts.pool();
    assertThat(r1.getString("split.contributorsTotal")).isEqualTo(pool.toString());
    assertThat(
            r1.getList("split.contributors.amount", String.class).stream()
                .map(BigInteger::new)
                .reduce(BigInteger.ZERO, BigInteger::add))
        .isEqualTo(pool);
    assertThat(r1.getList("contributors.role")).containsExactly("author", "data", "data");
    assertThat(r1.getList("contributors.dataset.uri")).containsExactly("file:a.csv", "file:b.csv");
    // "out 1" is no tensor: the API says so and keeps the bytes
    assertThat(r1.getString("outcome.decodedOutput.error"))
        .startsWith("not the canonical tensor encoding");
    assertThat(r1.getString("input"))
        .isEqualTo(io.credence.protocol.Hashes.hex("input 0".getBytes()));
    given()
        .when()
        .get("/v1/requests/3")
        .then()
        .statusCode(200)
        .body("state", org.hamcrest.Matchers.is("FAILED"))
        .body("outcome.reason", org.hamcrest.Matchers.is(2));
    given()
        .when()
        .get("/v1/requests/8")
        .then()
        .statusCode(200)
        .body("notes.kind", org.hamcrest.Matchers.hasItem("CALLBACK_FAILED"));
    given()
        .when()
        .get("/v1/requests/5")
        .then()
        .statusCode(200)
        .body("signers", org.hamcrest.Matchers.hasSize(2));

    // filters and cursor pagination
    given()
        .when()
        .get("/v1/requests?requester=" + History.DAPP.getAddress() + "&state=failed")
        .then()
        .statusCode(200)
        .body("items.requestId", org.hamcrest.Matchers.contains(3));
    given()
        .when()
        .get("/v1/requests?model=" + h.m2)
        .then()
        .statusCode(200)
        .body("items.requestId", org.hamcrest.Matchers.contains(5, 10));
    List<Integer> all = new ArrayList<>();
    String after = null;
    do {
      JsonPath page =
          given()
              .when()
              .get("/v1/requests?limit=4" + (after == null ? "" : "&after=" + after))
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      all.addAll(page.getList("items.requestId"));
      after = page.getString("next");
    } while (after != null);
    assertThat(all).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    // latest first, as the explorer's home page lists them, page by page
    List<Integer> latest = new ArrayList<>();
    after = null;
    do {
      JsonPath page =
          given()
              .when()
              .get("/v1/requests?order=newest&limit=4" + (after == null ? "" : "&after=" + after))
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      latest.addAll(page.getList("items.requestId"));
      after = page.getString("next");
    } while (after != null);
    assertThat(latest).containsExactly(11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);

    // workers against the registry's own view
    for (var key : List.of(History.K1, History.K2)) {
      var onChain = d.workerRegistry().worker(key.getAddress()).send();
      JsonPath w =
          given()
              .when()
              .get("/v1/workers/" + key.getAddress())
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      assertThat(new BigInteger(w.getString("stake")))
          .as("stake of %s", key.getAddress())
          .isEqualTo(onChain.component2());
      assertThat(new BigInteger(w.getString("unbonding"))).isEqualTo(onChain.component3());
      assertThat(w.getBoolean("banned")).isEqualTo(onChain.component5());
    }
    given()
        .when()
        .get("/v1/workers/" + History.K1.getAddress())
        .then()
        .body("receipts", org.hamcrest.Matchers.is(7))
        .body("failures", org.hamcrest.Matchers.is(1));

    // dataset A: trained model 1; its provider's earnings from it are its data earnings
    String hA =
        io.credence.protocol.Hashes.hex(io.credence.protocol.Hashes.sha256("dataset A".getBytes()));
    JsonPath ds =
        given().when().get("/v1/datasets/" + hA).then().statusCode(200).extract().jsonPath();
    assertThat(ds.getList("models.modelId")).containsExactly((int) h.m1);
    JsonPath p1 =
        given().when().get("/v1/accounts/" + History.P1.getAddress()).then().extract().jsonPath();
    assertThat(ds.getString("providerEarnings")).isEqualTo(p1.getString("earned.data"));
    given()
        .when()
        .get("/v1/datasets?limit=2")
        .then()
        .statusCode(200)
        .body("items", org.hamcrest.Matchers.hasSize(2))
        .body("next", org.hamcrest.Matchers.notNullValue());
    given()
        .when()
        .get("/v1/stats")
        .then()
        .statusCode(200)
        .body("models", org.hamcrest.Matchers.is(3))
        .body("requests.SETTLED", org.hamcrest.Matchers.is(8));
  }

  @Test
  @Order(3)
  void badQueriesAreRefusedWithAMessage() {
    for (String bad :
        List.of(
            "/v1/accounts/0x1234",
            "/v1/requests/abc",
            "/v1/requests/0",
            "/v1/requests?state=bogus",
            "/v1/requests?order=sideways",
            "/v1/requests?limit=0",
            "/v1/requests?requester=me",
            "/v1/models/x",
            "/v1/datasets/0x12",
            "/v1/workers/0xnothex",
            "/v1/datasets?after=zz",
            // every cursor and page size of every list: malformed, or misspelt (JAX-RS would ignore
            // an unknown one)
            "/v1/requests?cursor=zzz",
            "/v1/requests?after=zzz",
            "/v1/requests?after=-1",
            "/v1/requests?limit=abc",
            "/v1/requests?limit=501",
            "/v1/models?after=x",
            "/v1/models?limit=abc",
            "/v1/models?cursor=1",
            "/v1/datasets?after=1:x",
            "/v1/datasets?limit=0",
            "/v1/datasets?page=2",
            "/v1/workers?after=zz",
            "/v1/workers?limit=-1",
            "/v1/workers?offset=5",
            "/v1/stats?after=1",
            "/v1/accounts/" + History.DAPP.getAddress() + "?after=1")) {
      given()
          .when()
          .get(bad)
          .then()
          .statusCode(400)
          .body("error", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()));
    }
    given()
        .when()
        .get("/v1/requests?cursor=zzz")
        .then()
        .statusCode(400)
        .body("error", org.hamcrest.Matchers.containsString("unknown query parameter 'cursor'"))
        .body("error", org.hamcrest.Matchers.containsString("after"));
    given()
        .when()
        .get("/v1/requests/999999")
        .then()
        .statusCode(404)
        .body("error", org.hamcrest.Matchers.containsString("not indexed"));
    given().when().get("/v1/models/999").then().statusCode(404);
  }

  @Test
  @Order(4)
  void everyRequestsGasAndEverySubmittersReimbursementEqualTheChains() throws Exception {
    History h = history();
    List<org.web3j.protocol.core.methods.response.TransactionReceipt> txs = h.signedRequest();
    awaitCaughtUp();
    InferenceHub hub = h.hub(History.OWNER);

    // the signed request: its allowance is what its submission left; P2 paid fee + the whole
    // allowance from its deposit, REPORTER was paid back the submission's gas
    var requested = InferenceHub.getInferenceRequestedEvents(txs.get(0)).get(0);
    var submission = InferenceHub.getGasReimbursedEvents(txs.get(0)).get(0);
    assertThat(submission.charges).hasSize(1);
    assertThat(submission.credited).isPositive();
    JsonPath signed =
        given()
            .when()
            .get("/v1/requests/" + requested.requestId)
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(signed.getString("requester")).isEqualTo(History.P2.getAddress().toLowerCase());
    assertThat(signed.getString("gasAllowance")).isEqualTo(requested.gasAllowance.toString());
    assertThat(signed.getString("maxFeePerGas")).isEqualTo(History.MAX_FEE.toString());
    JsonPath p2 =
        given().when().get("/v1/accounts/" + History.P2.getAddress()).then().extract().jsonPath();
    assertThat(p2.getString("deposited")).isEqualTo(History.DEPOSIT.toString());
    assertThat(p2.getString("signedEscrow"))
        .isEqualTo(
            requested.fee.add(requested.gasAllowance).add(submission.charges.get(0)).toString());
    // the settlement of two: each request's charge in the order of its InferenceSettled
    var settledIds =
        InferenceHub.getInferenceSettledEvents(txs.get(1)).stream().map(e -> e.requestId).toList();
    assertThat(settledIds).hasSize(2).contains(requested.requestId);
    assertThat(InferenceHub.getGasReimbursedEvents(txs.get(1)).get(0).charges).hasSize(2);

    // every closing transaction of the chain: its GasReimbursed's charges, mapped to its closed
    // requests in event order, are the index's gasCharged; the rest of each allowance its
    // gasReturned; each submitter's earned.gas the sum of what it was credited
    String hubAddress = IndexerChainResource.deployment.inferenceHub().getContractAddress();
    var logs =
        TestInfra.anvil()
            .web3j()
            .ethGetLogs(
                new org.web3j.protocol.core.methods.request.EthFilter(
                    org.web3j.protocol.core.DefaultBlockParameter.valueOf(
                        BigInteger.valueOf(IndexerChainResource.deployment.startBlock())),
                    org.web3j.protocol.core.DefaultBlockParameterName.LATEST,
                    hubAddress))
            .send()
            .getLogs();
    String requestedTopic =
        org.web3j.abi.EventEncoder.encode(InferenceHub.INFERENCEREQUESTED_EVENT);
    java.util.Set<String> closingTopics =
        java.util.Set.of(
            org.web3j.abi.EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT),
            org.web3j.abi.EventEncoder.encode(InferenceHub.INFERENCEFAILED_EVENT),
            org.web3j.abi.EventEncoder.encode(InferenceHub.INFERENCEEXPIRED_EVENT));
    String reimbursedTopic = org.web3j.abi.EventEncoder.encode(InferenceHub.GASREIMBURSED_EVENT);
    Map<BigInteger, BigInteger> allowances = new HashMap<>();
    Map<String, BigInteger> credited = new HashMap<>();
    List<BigInteger> closing = new ArrayList<>();
    String closingTx = null;
    int checked = 0;
    for (var result : logs) {
      var l = (org.web3j.protocol.core.methods.response.Log) result.get();
      String topic = l.getTopics().get(0);
      if (topic.equals(requestedTopic)) {
        var e = InferenceHub.getInferenceRequestedEventFromLog(l);
        allowances.put(e.requestId, e.gasAllowance);
      } else if (closingTopics.contains(topic)) {
        if (!l.getTransactionHash().equals(closingTx)) {
          closing.clear();
          closingTx = l.getTransactionHash();
        }
        closing.add(new BigInteger(l.getTopics().get(1).substring(2), 16));
      } else if (topic.equals(reimbursedTopic)) {
        var e = InferenceHub.getGasReimbursedEventFromLog(l);
        credited.merge(e.submitter.toLowerCase(), e.credited, BigInteger::add);
        if (!l.getTransactionHash().equals(closingTx)) {
          continue; // a signed request's submission
        }
        assertThat(e.charges).as("charges of %s", closingTx).hasSameSizeAs(closing);
        for (int i = 0; i < closing.size(); i++) {
          JsonPath r =
              given()
                  .when()
                  .get("/v1/requests/" + closing.get(i))
                  .then()
                  .statusCode(200)
                  .extract()
                  .jsonPath();
          BigInteger allowance = allowances.get(closing.get(i));
          assertThat(r.getString("gasAllowance")).isEqualTo(allowance.toString());
          assertThat(r.getString("outcome.gasCharged"))
              .as("gas charged to request %s", closing.get(i))
              .isEqualTo(e.charges.get(i).toString());
          assertThat(r.getString("outcome.gasReturned"))
              .as("gas returned of request %s", closing.get(i))
              .isEqualTo(allowance.subtract(e.charges.get(i)).toString());
          checked++;
        }
        closing.clear();
        closingTx = null;
      }
    }
    assertThat(checked).as("closed requests checked").isGreaterThanOrEqualTo(12);
    assertThat(credited.values().stream().reduce(BigInteger.ZERO, BigInteger::add)).isPositive();
    for (var e : credited.entrySet()) {
      assertThat(
              given()
                  .when()
                  .get("/v1/accounts/" + e.getKey())
                  .then()
                  .statusCode(200)
                  .extract()
                  .jsonPath()
                  .getString("earned.gas"))
          .as("gas paid back to %s", e.getKey())
          .isEqualTo(e.getValue().toString());
    }
    // and the vault's balances
    assertAccountsMatchTheChain();
    assertThat(hub.balanceOf(History.P2.getAddress()).send())
        .isEqualTo(new BigInteger(p2.getString("balance")));
  }

  @Test
  @Order(5)
  void aDerivedChainsPoolsFlowToItsAncestorsAndEveryClaimableEqualsTheHubs() throws Exception {
    History h = history();
    History.Lineage lineage = h.lineage();
    awaitCaughtUp();
    InferenceHub hub = h.hub(History.OWNER);
    // both distributions paid every parent something: the grandchild its two, the derived model
    // model 1
    assertThat(lineage.paid())
        .extracting(e -> e.modelId.longValueExact(), e -> e.parentId.longValueExact())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(lineage.grandchild(), lineage.derived()),
            org.assertj.core.groups.Tuple.tuple(lineage.grandchild(), h.m3),
            org.assertj.core.groups.Tuple.tuple(lineage.derived(), h.m1));
    // every pool of the chain, the children's payments included, is the hub's
    for (long model : List.of(h.m1, h.m3, lineage.derived(), lineage.grandchild())) {
      BigInteger pool = hub.pendingPool(BigInteger.valueOf(model)).send();
      assertThat(pool).as("pool of model %s", model).isPositive();
      assertThat(model(model).getString("pendingPool"))
          .as("pool of model %s", model)
          .isEqualTo(pool.toString());
    }
    // the edges seen from both ends, with what the chain says flowed along each
    Map<String, BigInteger> flowed = new HashMap<>();
    for (var e : lineage.paid()) {
      flowed.merge(e.modelId + ">" + e.parentId, e.amount, BigInteger::add);
    }
    JsonPath grandchild = model(lineage.grandchild());
    assertThat(grandchild.getList("parents", Map.class))
        .extracting(
            p -> ((Number) p.get("modelId")).longValue(),
            p -> p.get("kind"),
            p -> p.get("shareBps"),
            p -> p.get("paid"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                lineage.derived(),
                "distill",
                2_500,
                flowed.get(lineage.grandchild() + ">" + lineage.derived()).toString()),
            org.assertj.core.groups.Tuple.tuple(
                h.m3, "ensemble", 333, flowed.get(lineage.grandchild() + ">" + h.m3).toString()));
    assertThat(grandchild.getList("children")).isEmpty();
    JsonPath derived = model(lineage.derived());
    assertThat(derived.getList("parents", Map.class))
        .extracting(p -> ((Number) p.get("modelId")).longValue(), p -> p.get("kind"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(h.m1, "fine-tune"));
    assertThat(derived.getList("children", Map.class))
        .extracting(p -> ((Number) p.get("modelId")).longValue(), p -> p.get("paid"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                lineage.grandchild(),
                flowed.get(lineage.grandchild() + ">" + lineage.derived()).toString()));
    JsonPath base = model(h.m1);
    assertThat(base.getList("children", Map.class))
        .extracting(
            p -> ((Number) p.get("modelId")).longValue(),
            p -> p.get("shareBps"),
            p -> p.get("paid"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                lineage.derived(), 1_501, flowed.get(lineage.derived() + ">" + h.m1).toString()));
    // a request's split: the parents' floors of its contributors' part, the contributors the rest
    JsonPath split =
        given()
            .when()
            .get("/v1/requests/" + lineage.lastOnGrandchild())
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    BigInteger part = new BigInteger(split.getString("split.contributorsTotal"));
    assertThat(split.getList("split.parents", Map.class))
        .extracting(p -> ((Number) p.get("modelId")).longValue(), p -> p.get("amount"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                lineage.derived(),
                part.multiply(BigInteger.valueOf(2_500))
                    .divide(BigInteger.valueOf(10_000))
                    .toString()),
            org.assertj.core.groups.Tuple.tuple(
                h.m3,
                part.multiply(BigInteger.valueOf(333))
                    .divide(BigInteger.valueOf(10_000))
                    .toString()));
    BigInteger divided = BigInteger.ZERO;
    for (String amount : split.getList("split.parents.amount", String.class)) {
      divided = divided.add(new BigInteger(amount));
    }
    for (String amount : split.getList("split.contributors.amount", String.class)) {
      divided = divided.add(new BigInteger(amount));
    }
    assertThat(divided).as("every wei of the contributors' part").isEqualTo(part);
    // contributors of every generation (P1 and NEW_OWNER of two of them) claim what the hub says
    assertAccountsMatchTheChain();
  }

  @Test
  @Order(6)
  void afterReorgsAtSeveralDepthsTheIndexEqualsAFreshIndexOfTheSameChain() throws Exception {
    History h = history();
    AnvilNode anvil = TestInfra.anvil();
    h.more(4);
    awaitCaughtUp();
    for (int depth : new int[] {1, 3, 7}) {
      anvil.reorg(depth);
      h.more(2);
    }
    // one more right under the indexer's feet, with no new blocks after it
    h.more(3);
    anvil.reorg(2);
    awaitCaughtUp();
    assertThat(follower.indexedBlock()).isEqualTo(anvil.blockNumber());

    String fresh = freshIndex(3_000, null);
    assertSameIndex(IndexerChainResource.schema, fresh, "after reorgs");
    assertAccountsMatchTheChain();
  }

  @Test
  @Order(7)
  void aBackfillStoppedMidStepResumesWithoutGapsOrDuplicates() throws Exception {
    history();
    awaitCaughtUp();
    String whole = freshIndex(10_000, null);
    // small steps; the fourth step's commit fails (a crash between the writes and the commit), then
    // a new
    // Indexing (a restarted process) resumes from what was committed
    String resumed = freshIndex(7, 4);
    assertSameIndex(whole, resumed, "resumed after a crash");
  }

  @Test
  @Order(8)
  void theExplorerFindsAReceiptAndShowsItsProvenanceAndTheFeeSplitAsAPicture() throws Exception {
    History h = history();
    awaitCaughtUp();
    var hub = IndexerChainResource.deployment.inferenceHub();
    org.openqa.selenium.chrome.ChromeOptions options =
        new org.openqa.selenium.chrome.ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600");
    var service =
        new org.openqa.selenium.chrome.ChromeDriverService.Builder()
            .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
            .usingAnyFreePort()
            .build();
    org.openqa.selenium.chrome.ChromeDriver browser =
        new org.openqa.selenium.chrome.ChromeDriver(service, options);
    var wait =
        new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(20));
    try {
      browser.get(root.toString());
      wait.until(
          org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated(
              org.openqa.selenium.By.id("view"), "Network"));

      // search a request id: its receipt, provenance and the fee split as a picture
      search(browser, "1");
      wait.until(
          org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(
              org.openqa.selenium.By.cssSelector("#split svg")));
      assertThat(browser.findElement(org.openqa.selenium.By.id("state")).getText())
          .isEqualTo("SETTLED");
      assertThat(browser.findElement(org.openqa.selenium.By.id("model-hash")).getText())
          .isEqualTo(
              io.credence.protocol.Hashes.hex(
                  hub.modelTerms(BigInteger.valueOf(h.m1)).send().component1()));
      assertThat(browser.findElement(org.openqa.selenium.By.id("output-hash")).getText())
          .isEqualTo(
              io.credence.protocol.Hashes.hex(
                  io.credence.protocol.Hashes.keccak256("out 1".getBytes())));
      // protocol, one worker, three contributors: one band each
      assertThat(browser.findElements(org.openqa.selenium.By.cssSelector("#split svg path.flow")))
          .hasSize(5);
      assertThat(browser.findElement(org.openqa.selenium.By.id("view")).getText())
          .contains("file:a.csv", "author", "data");
      java.nio.file.Files.write(
          java.nio.file.Path.of("target", "explorer-receipt.png"),
          browser.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));

      // executedAt as a UTC date-time, the unix seconds kept in its tooltip
      long at =
          given()
              .when()
              .get("/v1/requests/1")
              .then()
              .extract()
              .jsonPath()
              .getLong("signers[0].executedAt");
      String readable =
          java.time.Instant.ofEpochSecond(at).toString().replace("T", " ").replace("Z", " UTC");
      assertThat(browser.findElements(org.openqa.selenium.By.cssSelector("time.utc")))
          .anySatisfy(t -> {
            assertThat(t.getText()).isEqualTo(readable);
            assertThat(t.getAttribute("title")).isEqualTo(at + " (unix seconds)");
          });

      // a model with a card: its output decoded and labelled, in the API and on the page
      long iris = h.irisRequest(0.004f, 0.005f, 0.991f);
      awaitCaughtUp();
      JsonPath receipt =
          given().when().get("/v1/requests/" + iris).then().statusCode(200).extract().jsonPath();
      assertThat(receipt.getList("outcome.decodedOutput.tensors[0].labels"))
          .containsExactly("Iris-versicolor", "Iris-virginica", "Iris-setosa");
      assertThat(receipt.getString("outcome.decodedOutput.tensors[0].text"))
          .endsWith("Iris-setosa 0.991");
      assertThat(receipt.getString("decodedInput.tensors[0].text"))
          .startsWith("petal_length 1.400");
      search(browser, Long.toString(iris));
      wait.until(
          org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated(
              org.openqa.selenium.By.id("output-tensors"), "Iris-setosa 0.991"));
      assertThat(browser.findElement(org.openqa.selenium.By.id("output-tensors")).getText())
          .contains("probabilities float32[1, 3]");
      assertThat(browser.findElement(org.openqa.selenium.By.id("input-tensors")).getText())
          .contains("sepal_width 3.500");
      // settled just now, never disputed: open to challenge for the court's default window
      assertThat(receipt.getString("accountability.summary"))
          .startsWith("not audited; challengeable until ");
      assertThat(browser.findElement(org.openqa.selenium.By.id("accountability")).getText())
          .isEqualTo(receipt.getString("accountability.summary"));
      java.nio.file.Files.write(
          java.nio.file.Path.of("target", "explorer-labelled-output.png"),
          browser.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));

      // an address that is a worker key, one that is an account, a dataset, a model
      search(browser, History.K1.getAddress());
      wait.until(
          org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated(
              org.openqa.selenium.By.id("view"), "never active again"));
      assertThat(browser.findElement(org.openqa.selenium.By.id("faults")).getText()).isEqualTo("0");
      search(browser, History.DAPP.getAddress());
      wait.until(
          org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(
              org.openqa.selenium.By.cssSelector("#claimable span")));
      assertThat(
              browser
                  .findElement(org.openqa.selenium.By.cssSelector("#claimable span"))
                  .getAttribute("title"))
          .isEqualTo(hub.claimable(History.DAPP.getAddress()).send() + " wei");
      search(
          browser,
          io.credence.protocol.Hashes.hex(
              io.credence.protocol.Hashes.sha256("dataset A".getBytes())));
      wait.until(
          org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated(
              org.openqa.selenium.By.id("view"), "file:a.csv"));
      search(browser, "m:" + h.m2);
      wait.until(
          org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated(
              org.openqa.selenium.By.id("view"), "(retired)"));
      // a derived model's page draws its lineage: its parents above, their parent above them,
      // each edge with how it was derived, the share and what flowed along it
      long derived =
          given()
              .when()
              .get("/v1/models/" + h.m1)
              .then()
              .extract()
              .jsonPath()
              .getLong("children[0].modelId");
      JsonPath derivedView =
          given().when().get("/v1/models/" + derived).then().extract().jsonPath();
      long grandchild = derivedView.getLong("children[0].modelId");
      JsonPath grandchildView =
          given().when().get("/v1/models/" + grandchild).then().extract().jsonPath();
      search(browser, "m:" + grandchild);
      wait.until(
          org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(
              org.openqa.selenium.By.cssSelector("#lineage g.edge")));
      var edges = browser.findElements(org.openqa.selenium.By.cssSelector("#lineage g.edge"));
      int expected =
          grandchildView.getList("parents").size() + derivedView.getList("parents").size();
      assertThat(edges).as("the grandchild's parents and the derived model's").hasSize(expected);
      var toDerived =
          browser.findElement(
              org.openqa.selenium.By.cssSelector(
                  "#lineage g.edge[data-child='"
                      + grandchild
                      + "'][data-parent='"
                      + derived
                      + "']"));
      String paid =
          new java.math.BigDecimal(
                  new BigInteger(
                      grandchildView.getString(
                          "parents.find { it.modelId == " + derived + " }.paid")))
              .movePointLeft(18)
              .setScale(6, java.math.RoundingMode.DOWN)
              .stripTrailingZeros()
              .toPlainString();
      assertThat(toDerived.getText())
          .isEqualTo(
              grandchildView.getString("parents.find { it.modelId == " + derived + " }.kind")
                  + " 25.00 % · "
                  + paid
                  + " ETH");
      assertThat(
              browser
                  .findElement(org.openqa.selenium.By.cssSelector("#lineage g.node.self"))
                  .getAttribute("data-model"))
          .isEqualTo(Long.toString(grandchild));
      java.nio.file.Files.write(
          java.nio.file.Path.of("target", "explorer-model-lineage.png"),
          browser.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));

      search(browser, "999999");
      wait.until(
          org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated(
              org.openqa.selenium.By.id("error"), "not indexed"));
    } finally {
      browser.quit();
    }
  }

  private static void search(org.openqa.selenium.WebDriver browser, String query) {
    var box = browser.findElement(org.openqa.selenium.By.id("q"));
    box.clear();
    box.sendKeys(query);
    box.submit();
  }

  /**
   * Indexes the chain from the deployment into a new schema, in steps of at most {@code range}
   * blocks; with {@code failAtCommit}, that commit throws, as a crash would, and a new Indexing
   * takes over.
   *
   * @return the schema
   */
  private static String freshIndex(int range, Integer failAtCommit) throws Exception {
    AnvilNode anvil = TestInfra.anvil();
    String schema = "indexer_fresh_" + UUID.randomUUID().toString().substring(0, 8);
    javax.sql.DataSource ds = dataSource(schema);
    Indexing.createSchema(ds, schema);
    javax.sql.DataSource used = failAtCommit == null ? ds : failingAtCommit(ds, failAtCommit);
    int steps = 0;
    boolean crashed = false;
    Indexing indexing = indexing(used, range);
    while (true) {
      try {
        if (indexing.step() instanceof Indexing.Result.Caught) {
          break;
        }
        steps++;
      } catch (io.credence.protocol.store.Jdbc.StoreException e) {
        assertThat(crashed).as("one crash").isFalse();
        crashed = true;
        indexing = indexing(ds, range); // the restarted process
      }
    }
    assertThat(crashed).isEqualTo(failAtCommit != null);
    assertThat(steps).isPositive();
    return schema;
  }

  private static Indexing indexing(javax.sql.DataSource ds, int range) {
    AnvilNode anvil = TestInfra.anvil();
    var d = IndexerChainResource.deployment;
    Ingest ingest =
        new Ingest(
            d.inferenceHub().getContractAddress(),
            d.modelRegistry().getContractAddress(),
            d.workerRegistry().getContractAddress(),
            d.disputeCourt().getContractAddress(),
            anvil.chainId());
    return new Indexing(
        ds,
        ingest,
        new io.credence.protocol.chain.LogFollower(
            anvil.web3j(), ingest.addresses(), 0, d.startBlock(), range, range));
  }

  /** A data source whose {@code n}-th commit (counting from 1) throws instead of committing. */
  private static javax.sql.DataSource failingAtCommit(javax.sql.DataSource ds, int n) {
    java.util.concurrent.atomic.AtomicInteger commits =
        new java.util.concurrent.atomic.AtomicInteger();
    return (javax.sql.DataSource)
        java.lang.reflect.Proxy.newProxyInstance(
            IndexerIT.class.getClassLoader(),
            new Class<?>[] {javax.sql.DataSource.class},
            (proxy, method, args) -> {
              Object result = method.invoke(ds, args);
              if (!method.getName().equals("getConnection")) {
                return result;
              }
              Connection real = (Connection) result;
              return java.lang.reflect.Proxy.newProxyInstance(
                  IndexerIT.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (p, m, a) -> {
                    if (m.getName().equals("commit") && commits.incrementAndGet() == n) {
                      throw new SQLException("simulated crash before commit " + n);
                    }
                    try {
                      return m.invoke(real, a);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
            });
  }

  /** {@code GET /v1/models/{id}}, which must answer. */
  private static JsonPath model(long id) {
    return given().when().get("/v1/models/" + id).then().statusCode(200).extract().jsonPath();
  }

  private static void assertSameIndex(String a, String b, String what) throws SQLException {
    for (String table : IngestStore.TABLES) {
      assertThat(dump(a, table))
          .as("table %s %s vs a fresh index", table, what)
          .isEqualTo(dump(b, table));
    }
  }

  private void assertAccountsMatchTheChain() throws Exception {
    InferenceHub hub = history.hub(History.OWNER);
    for (String account : History.accounts()) {
      JsonPath view =
          given().when().get("/v1/accounts/" + account).then().statusCode(200).extract().jsonPath();
      assertThat(new BigInteger(view.getString("claimable")))
          .as("claimable of %s", account)
          .isEqualTo(hub.claimable(account).send());
      assertThat(new BigInteger(view.getString("balance")))
          .as("balance of %s", account)
          .isEqualTo(hub.balanceOf(account).send());
    }
    JsonPath treasury =
        given()
            .when()
            .get("/v1/accounts/" + History.TREASURY2.getAddress())
            .then()
            .extract()
            .jsonPath();
    assertThat(new BigInteger(treasury.getString("protocolAccrued")))
        .isEqualTo(hub.protocolFeesAccrued().send());
  }

  /** Until the index holds the chain's current head block, by number and hash. */
  private void awaitCaughtUp() throws Exception {
    AnvilNode anvil = TestInfra.anvil();
    long head = anvil.blockNumber();
    String hash =
        anvil
            .web3j()
            .ethGetBlockByNumber(
                org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(head)),
                false)
            .send()
            .getBlock()
            .getHash();
    long deadline = System.nanoTime() + 60_000_000_000L;
    // the follower says where it is just after its transaction commits: wait for both
    while (!hash.equals(checkpoint(head)) || follower.indexedBlock() != head) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the indexer is at block "
                + follower.indexedBlock()
                + ", the chain at "
                + head
                + " ("
                + follower.lastError()
                + ")");
      }
      Thread.sleep(50);
    }
  }

  private static String checkpoint(long block) throws SQLException {
    try (Connection c = connect(IndexerChainResource.schema);
        var ps = c.prepareStatement("SELECT block_hash FROM checkpoint WHERE block_number = ?")) {
      ps.setLong(1, block);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static List<String> dump(String schema, String table) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = connect(schema);
        ResultSet rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          Object v = rs.getObject(i);
          row.append(md.getColumnName(i))
              .append('=')
              .append(v instanceof byte[] b ? io.credence.protocol.Hashes.hex(b) : v)
              .append(' ');
        }
        rows.add(row.toString());
      }
    }
    rows.sort(null);
    return rows;
  }

  private static Connection connect(String schema) throws SQLException {
    return dataSource(schema).getConnection();
  }

  private static javax.sql.DataSource dataSource(String schema) {
    return TestInfra.postgres().dataSource(schema);
  }
}
