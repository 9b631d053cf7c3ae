package io.credence.indexer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.dispute.SettlementRecords;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.Verdict;
import io.credence.protocol.receipt.WorkerKeyProof;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.testkit.TestInfra;
import io.credence.testkit.quarkus.AnvilResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.ContractGasProvider;

/**
 * The court on anvil, through the indexer: a challenged answer that a jury proves wrong (the
 * signer's stake seized, the requester refunded, the challenger rewarded, the jurors paid) and an
 * audited answer that its jury upholds; the API's dispute, receipt summaries, worker records and
 * accounts are checked against the chain, every account's balance against the vault's own.
 */
@QuarkusTest
@WithTestResource(AnvilResource.class)
@WithTestResource(CourtChainResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CourtIT {
  static final String ZERO = "0x0000000000000000000000000000000000000000";
  static final BigInteger FEE = BigInteger.valueOf(1_000_000_000_000_007L);
  static final BigInteger STAKE = BigInteger.TEN.pow(18);
  static final Credentials AUTHOR = AnvilNode.devAccount(1);
  static final Credentials DAPP = AnvilNode.devAccount(2);
  static final Credentials CHALLENGER = AnvilNode.devAccount(3);

  @Inject Follower follower;

  private AnvilNode anvil;
  private ContractDeployer.Deployment d;
  private ContractGasProvider gas;
  private Eip712Domain domain;

  /** Worker keys by address (lower-case): the signer first, then four others. */
  private final Map<String, ReceiptSigner> keys = new java.util.LinkedHashMap<>();

  private final List<Credentials> operators = new ArrayList<>();
  private long model;
  private long wrong;
  private long audited;
  private long untouched;
  private BigInteger disputeId;
  private BigInteger auditId;
  private BigInteger bond;
  private List<String> jury;

  @BeforeAll
  void history() throws Exception {
    anvil = TestInfra.anvil();
    d = CourtChainResource.deployment;
    gas = ContractDeployer.gas(anvil.chainId());
    domain = Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress());
    TransactionReceipt registered =
        load(ModelRegistry.class, d.modelRegistry(), AUTHOR)
            .registerModel(
                Hashes.sha256("court model".getBytes(StandardCharsets.UTF_8)),
                "file:court.onnx",
                FEE,
                BigInteger.ONE,
                List.of(
                    new ModelRegistry.Contributor(
                        AUTHOR.getAddress(),
                        BigInteger.ONE,
                        BigInteger.valueOf(10_000),
                        new byte[32])))
            .send();
    model = ModelRegistry.getModelRegisteredEvents(registered).get(0).modelId.longValueExact();
    Eip712Domain registryDomain =
        Eip712Domain.workerRegistry(anvil.chainId(), d.workerRegistry().getContractAddress());
    for (int i = 0; i < 5; i++) {
      ReceiptSigner key =
          new ReceiptSigner(
              Credentials.create(
                  Hashes.hex(
                      Hashes.keccak256(("court worker " + i).getBytes(StandardCharsets.UTF_8)))));
      Credentials operator = AnvilNode.devAccount(4 + i);
      operators.add(operator);
      keys.put(key.address().toLowerCase(), key);
      load(WorkerRegistry.class, d.workerRegistry(), operator)
          .register(
              key.address(), WorkerKeyProof.sign(key, registryDomain, operator.getAddress()), STAKE)
          .send();
    }
    List<String> addresses = new ArrayList<>(keys.keySet());
    DisputeCourt court = load(DisputeCourt.class, d.disputeCourt(), CHALLENGER);

    // a wrong answer, challenged and proven wrong by a jury of the other workers
    var r = request();
    wrong = r.requestId.longValueExact();
    byte[] output = "the wrong answer".getBytes(StandardCharsets.UTF_8);
    Settled s = settle(r, output, addresses.get(0));
    bond = court.requiredBond(FEE).send();
    TransactionReceipt opened =
        court
            .challenge(
                SettlementRecords.batch(wrong, s.block, s.at, List.of(s.leaf)),
                BigInteger.ZERO,
                s.leaf.toCourt(),
                bond)
            .send();
    disputeId = DisputeCourt.getDisputeOpenedEvents(opened).get(0).disputeId;
    anvil.mine(1);
    // (the court's dispute(id) view does not decode under Quarkus' class loader: the jury comes
    // from its event)
    jury = DisputeCourt.getJuryDrawnEvents(court.drawJury(disputeId).send()).get(0).jurors;
    vote(court, disputeId, jury, r.requestId, output, false);

    // the model audits every answer: one settled by another worker, upheld by its jury
    load(DisputeCourt.class, d.disputeCourt(), AUTHOR)
        .setModelTerms(
            BigInteger.valueOf(model),
            new DisputeCourt.Terms(
                BigInteger.valueOf(24 * 3_600),
                BigInteger.valueOf(10_000),
                BigInteger.valueOf(3),
                BigInteger.ONE,
                BigInteger.ZERO,
                BigInteger.ZERO))
        .send();
    var a = request();
    audited = a.requestId.longValueExact();
    byte[] right = "the right answer".getBytes(StandardCharsets.UTF_8);
    Settled sa = settle(a, right, addresses.get(1));
    anvil.mine(1);
    TransactionReceipt drawn =
        court
            .drawAudits(
                BigInteger.valueOf(audited),
                BigInteger.valueOf(sa.block),
                BigInteger.valueOf(sa.at),
                List.of(sa.leaf.toCourt()))
            .send();
    auditId = DisputeCourt.getDisputeOpenedEvents(drawn).get(0).disputeId;
    vote(
        court,
        auditId,
        DisputeCourt.getJuryDrawnEvents(drawn).get(0).jurors,
        a.requestId,
        right,
        true);

    // settled and never disputed
    var u = request();
    untouched = u.requestId.longValueExact();
    settle(u, "unchallenged".getBytes(StandardCharsets.UTF_8), addresses.get(2));
    awaitCaughtUp();
  }

  @Test
  void aProvenFaultIsIndexedWithItsJuryVerdictsAndMoney() throws Exception {
    JsonPath v =
        given().when().get("/v1/disputes/" + disputeId).then().statusCode(200).extract().jsonPath();
    assertThat(v.getString("kind")).isEqualTo("challenge");
    assertThat(v.getString("state")).isEqualTo("FAULT_PROVEN");
    assertThat(v.getLong("requestId")).isEqualTo(wrong);
    assertThat(v.getString("challenger")).isEqualTo(CHALLENGER.getAddress().toLowerCase());
    assertThat(v.getString("bond")).isEqualTo(bond.toString());
    assertThat(v.getList("jurors", String.class))
        .containsExactlyElementsOf(jury.stream().map(String::toLowerCase).toList());
    assertThat(v.getList("verdicts.agrees", Boolean.class)).containsOnly(false).hasSize(3);
    assertThat(v.getInt("disagreed")).isEqualTo(3);
    assertThat(v.getString("slashed")).isEqualTo(STAKE.toString());
    assertThat(v.getString("refund")).isEqualTo(FEE.toString());
    assertThat(new BigInteger(v.getString("reward"))).isPositive();
    assertThat(v.getList("jurorPay")).hasSize(3);
    assertThat(v.getLong("resolvedBlock")).isPositive();

    JsonPath receipt =
        given().when().get("/v1/requests/" + wrong).then().statusCode(200).extract().jsonPath();
    String challenger = CHALLENGER.getAddress().toLowerCase();
    assertThat(receipt.getString("accountability.summary"))
        .isEqualTo(
            "challenged by "
                + challenger.substring(0, 6)
                + "…"
                + challenger.substring(38)
                + ", fault proven, signer slashed 1.0 ETH, requester refunded");
    assertThat(receipt.getList("accountability.disputes.disputeId", Long.class))
        .containsExactly(disputeId.longValueExact());

    String signer = keys.keySet().iterator().next();
    JsonPath worker =
        given().when().get("/v1/workers/" + signer).then().statusCode(200).extract().jsonPath();
    assertThat(worker.getLong("receipts")).isEqualTo(1);
    assertThat(worker.getLong("audited")).isEqualTo(1);
    assertThat(worker.getLong("faults")).isEqualTo(1);
    assertThat(worker.getString("slashed")).isEqualTo(STAKE.toString());
    assertThat(worker.getBoolean("banned")).isTrue();

    String juror = jury.get(0).toLowerCase();
    JsonPath j =
        given().when().get("/v1/workers/" + juror).then().statusCode(200).extract().jsonPath();
    assertThat(j.getLong("jurySeats")).isGreaterThanOrEqualTo(1);
    assertThat(j.getLong("verdictsGiven")).isEqualTo(j.getLong("jurySeats"));
    assertThat(new BigInteger(j.getString("jurorPay"))).isPositive();

    JsonPath account =
        given()
            .when()
            .get("/v1/accounts/" + CHALLENGER.getAddress())
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(account.getString("rewards.challenger")).isEqualTo(v.getString("reward"));
    assertThat(account.getLong("bonds.challenges")).isEqualTo(1);
    assertThat(account.getString("bonds.posted")).isEqualTo(bond.toString());
    assertThat(account.getString("bonds.returned")).isEqualTo(bond.toString());
    assertThat(account.getString("bonds.forfeited")).isEqualTo("0");
  }

  @Test
  void anUpheldAuditAndAnUndisputedAnswerAreSummarised() {
    JsonPath receipt =
        given().when().get("/v1/requests/" + audited).then().statusCode(200).extract().jsonPath();
    assertThat(receipt.getString("accountability.summary"))
        .isEqualTo("audited by 3 jurors, all agree");
    assertThat(receipt.getString("accountability.disputes[0].state")).isEqualTo("UPHELD");
    assertThat(receipt.getString("accountability.disputes[0].kind")).isEqualTo("audit");
    assertThat(receipt.getInt("accountability.disputes[0].agreed")).isEqualTo(3);
    assertThat(receipt.getLong("accountability.challengeWindow")).isEqualTo(24 * 3_600L);

    JsonPath plain =
        given().when().get("/v1/requests/" + untouched).then().statusCode(200).extract().jsonPath();
    assertThat(plain.getString("accountability.summary"))
        .startsWith("not audited; challengeable until ");
    assertThat(plain.getList("accountability.disputes")).isEmpty();
  }

  @Test
  void everyAccountsBalanceEqualsTheVaults() throws Exception {
    InferenceHub hub = d.inferenceHub();
    List<String> accounts = new ArrayList<>();
    for (Credentials c : List.of(AUTHOR, DAPP, CHALLENGER)) {
      accounts.add(c.getAddress());
    }
    operators.forEach(o -> accounts.add(o.getAddress()));
    for (String account : accounts) {
      JsonPath view =
          given().when().get("/v1/accounts/" + account).then().statusCode(200).extract().jsonPath();
      assertThat(new BigInteger(view.getString("balance")))
          .as("balance of %s", account)
          .isEqualTo(hub.balanceOf(account).send());
    }
    JsonPath treasury =
        given()
            .when()
            .get("/v1/accounts/" + d.deployer().getAddress())
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(new BigInteger(treasury.getString("protocolAccrued")))
        .isEqualTo(hub.protocolFeesAccrued().send());
  }

  /**
   * A fresh index of the same chain in steps of one block, so that a dispute is opened, seated and
   * resolved in different steps (its challenger, bond and signers read back from the index), holds
   * the same rows as the live one, table by table.
   */
  @Test
  void aFreshIndexInOneBlockStepsEqualsTheLiveOne() throws Exception {
    String schema = "indexer_court_fresh_" + java.util.UUID.randomUUID().toString().substring(0, 8);
    javax.sql.DataSource ds = TestInfra.postgres().dataSource(schema);
    Indexing.createSchema(ds, schema);
    io.credence.indexer.ingest.Ingest ingest =
        new io.credence.indexer.ingest.Ingest(
            d.inferenceHub().getContractAddress(),
            d.modelRegistry().getContractAddress(),
            d.workerRegistry().getContractAddress(),
            d.disputeCourt().getContractAddress(),
            anvil.chainId());
    Indexing indexing =
        new Indexing(
            ds,
            ingest,
            new io.credence.protocol.chain.LogFollower(
                anvil.web3j(), ingest.addresses(), 0, d.startBlock(), 1, 1));
    while (!(indexing.step() instanceof Indexing.Result.Caught)) {
      // one block a step
    }
    awaitCaughtUp();
    for (String table : io.credence.indexer.store.IngestStore.TABLES) {
      assertThat(dump(schema, table, anvil.blockNumber()))
          .as("table %s", table)
          .isEqualTo(dump(CourtChainResource.schema, table, anvil.blockNumber()));
    }
    assertThat(dump(schema, "dispute_resolution", anvil.blockNumber())).hasSize(2);
  }

  private static List<String> dump(String schema, String table, long upTo)
      throws java.sql.SQLException {
    List<String> rows = new ArrayList<>();
    try (java.sql.Connection c = TestInfra.postgres().dataSource(schema).getConnection();
        java.sql.ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT * FROM " + table + " WHERE block_number <= " + upTo)) {
      java.sql.ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          Object v = rs.getObject(i);
          row.append(md.getColumnName(i))
              .append('=')
              .append(v instanceof byte[] b ? Hashes.hex(b) : v)
              .append(' ');
        }
        rows.add(row.toString());
      }
    }
    rows.sort(null);
    return rows;
  }

  @Test
  void badDisputeIdsAreRefusedWithAMessage() {
    given()
        .when()
        .get("/v1/disputes/x")
        .then()
        .statusCode(400)
        .body("error", org.hamcrest.Matchers.containsString("a dispute id"));
    given().when().get("/v1/disputes/999").then().statusCode(404);
  }

  private record Settled(long block, long at, SettlementRecords.Leaf leaf) {}

  private InferenceHub.InferenceRequestedEventResponse request() throws Exception {
    TransactionReceipt tx =
        load(InferenceHub.class, d.inferenceHub(), DAPP)
            .requestInference(
                BigInteger.valueOf(model),
                ("input " + System.nanoTime()).getBytes(StandardCharsets.UTF_8),
                BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(3_600)),
                ZERO,
                BigInteger.ZERO,
                BigInteger.ZERO,
                BigInteger.ZERO,
                FEE)
            .send();
    return InferenceHub.getInferenceRequestedEvents(tx).get(0);
  }

  /** Settles {@code r} with {@code output} signed by {@code signer}, relayed by its operator. */
  private Settled settle(
      InferenceHub.InferenceRequestedEventResponse r, byte[] output, String signer)
      throws Exception {
    byte[] modelHash = d.inferenceHub().modelTerms(r.modelId).send().component1();
    long at = anvil.latestTimestamp();
    byte[] digest =
        new InferenceReceipt(r.requestId, modelHash, r.inputHash, Hashes.keccak256(output), at)
            .digest(domain);
    InferenceHub.Receipt receipt =
        HubReceipts.receipt(
            r.requestId,
            HubReceipts.request(r),
            output,
            List.of(new HubReceipts.Signed(signer, at, keys.get(signer).sign(digest))));
    TransactionReceipt tx =
        load(InferenceHub.class, d.inferenceHub(), operators.get(0))
            .submitReceipts(List.of(receipt))
            .send();
    long block = tx.getBlockNumber().longValueExact();
    long settledAt =
        anvil
            .web3j()
            .ethGetBlockByNumber(DefaultBlockParameter.valueOf(tx.getBlockNumber()), false)
            .send()
            .getBlock()
            .getTimestamp()
            .longValueExact();
    return new Settled(
        block,
        settledAt,
        new SettlementRecords.Leaf(
            r.requestId.longValueExact(),
            HubReceipts.request(r),
            Hashes.keccak256(output),
            List.of(signer)));
  }

  /** Every juror of {@code id} signs that the output agrees (or not) with its own. */
  private void vote(
      DisputeCourt court,
      BigInteger id,
      List<String> jurors,
      BigInteger requestId,
      byte[] output,
      boolean agrees)
      throws Exception {
    byte[] mine =
        agrees
            ? Hashes.keccak256(output)
            : Hashes.keccak256("the jury's output".getBytes(StandardCharsets.UTF_8));
    List<DisputeCourt.Verdict> verdicts = new ArrayList<>();
    for (String juror : jurors) {
      Verdict v = new Verdict(id, requestId, Hashes.keccak256(output), mine, agrees);
      verdicts.add(
          new DisputeCourt.Verdict(
              id, mine, agrees, keys.get(juror.toLowerCase()).sign(v, domain)));
    }
    court.submitVerdicts(verdicts).send();
  }

  private <C extends org.web3j.tx.Contract> C load(Class<C> type, C contract, Credentials who) {
    try {
      return type.cast(
          type.getMethod(
                  "load",
                  String.class,
                  org.web3j.protocol.Web3j.class,
                  org.web3j.tx.TransactionManager.class,
                  ContractGasProvider.class)
              .invoke(
                  null,
                  contract.getContractAddress(),
                  anvil.web3j(),
                  anvil.transactionManager(who),
                  gas));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Until the indexer has applied the chain's head block. */
  private void awaitCaughtUp() throws InterruptedException {
    long head = anvil.blockNumber();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (follower.indexedBlock() < head) {
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
      Thread.sleep(20);
    }
  }
}
