package io.credence.relayer.store;

import io.credence.protocol.chain.LogFollower;
import io.credence.testkit.PostgresDatabase;
import java.math.BigInteger;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** The relayer's schema, migrated into a test's own PostgreSQL schema, with its stores. */
public final class RelayerSchema {
  public final DataSource dataSource;
  public final Db db;
  public final RequestStore requests;
  public final ResultStore results;
  public final TxStore txs;
  public final NonceLedger nonces;

  public RelayerSchema(PostgresDatabase pg) {
    this.dataSource = pg.dataSource(pg.schema());
    Flyway.configure()
        .dataSource(dataSource)
        .schemas(pg.schema())
        .defaultSchema(pg.schema())
        .locations("classpath:db/migration")
        .cleanDisabled(false)
        .load()
        .migrate();
    this.db = new Db(dataSource);
    this.requests = new RequestStore(db);
    this.results = new ResultStore(db);
    this.txs = new TxStore(db);
    this.nonces = new NonceLedger(db);
  }

  /** Empties every table (tests of one class share the schema). */
  public void clear() {
    db.update(
        "TRUNCATE request, attempt, result, rejected_result, wallet, tx, tx_request, checkpoint RESTART IDENTITY");
  }

  /** A request the listener saw in block {@code block} (SEEN), with a quorum of one. */
  public void seen(long requestId, long block) {
    requests.applyBlocks(
        List.of(
            new RequestStore.Requested(
                requestId,
                1,
                "0x" + "11".repeat(20),
                new byte[32],
                BigInteger.TEN,
                4_000_000_000L,
                "0x" + "00".repeat(20),
                0,
                BigInteger.ZERO,
                BigInteger.ZERO,
                new byte[] {1},
                new byte[32],
                "file:///model.onnx",
                1,
                block,
                "0x" + "bb".repeat(32),
                "0x" + "cc".repeat(32))),
        new LogFollower.Block(block, "0x" + "bb".repeat(32)));
  }

  /** A request's state and error, as stored. */
  public String stateOf(long requestId) {
    return db.one(
            "SELECT state FROM request WHERE request_id = ?", rs -> rs.getString(1), requestId)
        .orElseThrow();
  }
}
