package io.credence.indexer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.credence.contracts.InferenceHub;
import io.credence.indexer.ingest.Ingest;
import io.credence.testkit.AnvilNode;
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
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The indexer under test follows fresh contracts on the run's anvil while a scripted history
 * emits every event type; its answers are compared with the chain's own views. Then reorgs at
 * several depths happen while it indexes, and its whole state is compared, row by row, with a
 * fresh index of the final chain.
 */
@QuarkusTest
@WithTestResource(AnvilResource.class)
@WithTestResource(IndexerChainResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IndexerIT {
  private static History history;

  @Inject Follower follower;

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
              "dataset", "model", "contributor", "worker", "request", "claim", "split_change", "treasury_change",
              "stake_event:kind", "outcome:kind", "request_note:kind", "model_change:kind")) {
        String[] parts = q.split(":");
        String sql =
            parts.length == 1
                ? "SELECT '" + parts[0] + "', count(*) FROM " + parts[0]
                : "SELECT '" + parts[0] + ".' || " + parts[1] + ", count(*) FROM " + parts[0] + " GROUP BY " + parts[1];
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
        .containsEntry("model_change.OWNER", 1L);
  }

  @Test
  @Order(2)
  void everyAccountsMoneyEqualsTheVaultsOwnViews() throws Exception {
    history();
    awaitCaughtUp();
    assertAccountsMatchTheChain();
  }

  @Test
  @Order(3)
  void badQueriesAreRefusedWithAMessage() {
    given().when().get("/v1/accounts/0x1234").then().statusCode(400).body("error", org.hamcrest.Matchers.containsString("40 hex digits"));
  }

  @Test
  @Order(4)
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

    String fresh = "indexer_fresh_" + UUID.randomUUID().toString().substring(0, 8);
    PGSimpleDataSource ds = dataSource(fresh);
    Flyway.configure().dataSource(ds).schemas(fresh).defaultSchema(fresh).createSchemas(true).locations("classpath:db/migration").load().migrate();
    var d = IndexerChainResource.deployment;
    var config = new io.credence.indexer.ingest.Ingest(
        d.inferenceHub().getContractAddress(), d.modelRegistry().getContractAddress(), d.workerRegistry().getContractAddress(), anvil.chainId());
    Indexing indexing =
        new Indexing(ds, config, new io.credence.protocol.chain.LogFollower(anvil.web3j(), config.addresses(), 0, d.startBlock(), 500, 10_000));
    while (!(indexing.step() instanceof Indexing.Result.Caught)) {
      // backfill
    }
    for (String table : Ingest.TABLES) {
      if (table.equals("checkpoint")) {
        continue; // where each index put its checkpoints depends on its steps
      }
      assertThat(dump(IndexerChainResource.schema, table)).as("table %s after reorgs vs a fresh index", table).isEqualTo(dump(fresh, table));
    }
    assertAccountsMatchTheChain();
  }

  private void assertAccountsMatchTheChain() throws Exception {
    InferenceHub hub = history.hub(History.OWNER);
    for (String account : History.accounts()) {
      JsonPath view = given().when().get("/v1/accounts/" + account).then().statusCode(200).extract().jsonPath();
      assertThat(new BigInteger(view.getString("claimable"))).as("claimable of %s", account).isEqualTo(hub.claimable(account).send());
      assertThat(new BigInteger(view.getString("balance"))).as("balance of %s", account).isEqualTo(hub.balanceOf(account).send());
    }
    JsonPath treasury = given().when().get("/v1/accounts/" + History.TREASURY2.getAddress()).then().extract().jsonPath();
    assertThat(new BigInteger(treasury.getString("protocolAccrued"))).isEqualTo(hub.protocolFeesAccrued().send());
  }

  /** Until the index holds the chain's current head block, by number and hash. */
  private void awaitCaughtUp() throws Exception {
    AnvilNode anvil = TestInfra.anvil();
    long head = anvil.blockNumber();
    String hash =
        anvil.web3j().ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(head)), false).send().getBlock().getHash();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!hash.equals(checkpoint(head))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the indexer is at block " + follower.indexedBlock() + ", the chain at " + head + " (" + follower.lastError() + ")");
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
          row.append(md.getColumnName(i)).append('=').append(v instanceof byte[] b ? io.credence.protocol.Hashes.hex(b) : v).append(' ');
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

  private static PGSimpleDataSource dataSource(String schema) {
    var db = TestInfra.postgres();
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(db.jdbcUrl());
    ds.setUser(db.user());
    if (!db.password().isEmpty()) {
      ds.setPassword(db.password());
    }
    ds.setCurrentSchema(schema);
    ds.setReWriteBatchedInserts(true);
    return ds;
  }
}
