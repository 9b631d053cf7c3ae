package io.credence.relayer.chain;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.chain.LogFollower;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Follows the hub's events into the request table: {@code InferenceRequested} makes a request
 * row, {@code InferenceSettled}, {@code InferenceFailed} and {@code InferenceExpired} close it.
 * The cursor (checkpoints) is written in the same transaction as what the logs change, so a crash
 * anywhere resumes exactly where the last commit left off.
 *
 * <p>On a reorg the requests of the dropped blocks are marked orphaned (never dispatched again
 * unless seen again) and requests closed in dropped blocks are reopened; a request id seen again
 * with the same fields is the same request and keeps its progress, one with different fields (ids
 * are sequential, so a reorg can give an id to another request) starts over.
 */
@ApplicationScoped
public class ChainListener {
  private static final Logger LOG = Logger.getLogger(ChainListener.class);
  private static final String REQUESTED = EventEncoder.encode(InferenceHub.INFERENCEREQUESTED_EVENT);
  private static final String SETTLED = EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT);
  private static final String FAILED = EventEncoder.encode(InferenceHub.INFERENCEFAILED_EVENT);
  private static final String EXPIRED = EventEncoder.encode(InferenceHub.INFERENCEEXPIRED_EVENT);
  /** Checkpoints kept below the newest, to find the common ancestor of a deep reorg. */
  private static final int KEPT_CHECKPOINTS = 1024;

  private final Db db;
  private final Contracts contracts;
  private final RelayerMetrics metrics;
  private final LogFollower follower;
  private final LogFollower.Checkpoints checkpoints;
  private volatile long lastBlock = -1;

  @Inject
  public ChainListener(Db db, Contracts contracts, RelayerConfig config, RelayerMetrics metrics) {
    this.db = db;
    this.contracts = contracts;
    this.metrics = metrics;
    RelayerConfig.Chain chain = config.chain();
    this.follower =
        new LogFollower(
            contracts.web3j(), List.of(contracts.hub()), chain.confirmations(), chain.startBlock(), chain.initialRange(),
            chain.maxRange());
    this.checkpoints =
        new LogFollower.Checkpoints() {
          @Override
          public Optional<LogFollower.Block> last() {
            return db.one(
                "SELECT block_number, block_hash FROM checkpoint ORDER BY block_number DESC LIMIT 1",
                rs -> new LogFollower.Block(rs.getLong(1), rs.getString(2)));
          }

          @Override
          public Optional<LogFollower.Block> before(long number) {
            return db.one(
                "SELECT block_number, block_hash FROM checkpoint WHERE block_number < ? ORDER BY block_number DESC LIMIT 1",
                rs -> new LogFollower.Block(rs.getLong(1), rs.getString(2)), number);
          }
        };
  }

  /** The last block processed, or -1 before the first. */
  public long lastBlock() {
    return lastBlock;
  }

  /**
   * Takes one step of following.
   *
   * @return true when there may be more to read right away
   */
  public boolean step() throws IOException {
    LogFollower.Step step = follower.next(checkpoints);
    switch (step) {
      case LogFollower.Advance a -> {
        List<Prepared> prepared = prepare(a.logs());
        db.tx(c -> apply(c, a, prepared));
        lastBlock = a.to().number();
        return true;
      }
      case LogFollower.Rewind r -> {
        LOG.warnf(
            "reorg: block %d (%s) is no longer canonical; rewinding to block %d", r.replaced().number(), r.replaced().hash(),
            r.ancestor().number());
        db.tx(c -> rewind(c, r.ancestor()));
        metrics.reorg();
        return true;
      }
      case LogFollower.Idle i -> {
        return false;
      }
    }
  }

  /** A log with what its handling needs from outside the database (read before the transaction). */
  private record Prepared(Log log, InferenceHub.InferenceRequestedEventResponse requested, Contracts.Model model) {}

  private List<Prepared> prepare(List<Log> logs) throws IOException {
    List<Prepared> out = new java.util.ArrayList<>(logs.size());
    for (Log log : logs) {
      if (log.getTopics().isEmpty() || log.isRemoved()) {
        continue;
      }
      if (REQUESTED.equals(log.getTopics().get(0))) {
        var e = InferenceHub.getInferenceRequestedEventFromLog(log);
        out.add(new Prepared(log, e, contracts.model(e.modelId.longValueExact())));
      } else {
        out.add(new Prepared(log, null, null));
      }
    }
    return out;
  }

  private Void apply(Connection c, LogFollower.Advance a, List<Prepared> logs) throws SQLException {
    for (Prepared p : logs) {
      Log log = p.log();
      String topic = log.getTopics().get(0);
      if (p.requested() != null) {
        requested(c, p.requested(), p.model(), log);
      } else if (SETTLED.equals(topic)) {
        close(c, InferenceHub.getInferenceSettledEventFromLog(log).requestId.longValueExact(), "SETTLED", log);
      } else if (FAILED.equals(topic)) {
        close(c, InferenceHub.getInferenceFailedEventFromLog(log).requestId.longValueExact(), "REFUNDED", log);
      } else if (EXPIRED.equals(topic)) {
        close(c, InferenceHub.getInferenceExpiredEventFromLog(log).requestId.longValueExact(), "EXPIRED", log);
      }
    }
    Db.update(
        c, "INSERT INTO checkpoint (block_number, block_hash) VALUES (?, ?) ON CONFLICT (block_number) DO UPDATE SET block_hash = ?",
        a.to().number(), a.to().hash(), a.to().hash());
    Db.update(c, "DELETE FROM checkpoint WHERE block_number < ?", a.to().number() - KEPT_CHECKPOINTS);
    return null;
  }

  private void requested(Connection c, InferenceHub.InferenceRequestedEventResponse e, Contracts.Model model, Log log)
      throws SQLException {
    long id = e.requestId.longValueExact();
    String requester = e.requester.toLowerCase(Locale.ROOT);
    String callback = e.callback.toLowerCase(Locale.ROOT);
    Optional<Boolean> same =
        Db.one(
            c,
            "SELECT model_id, requester, input_hash, fee, deadline, callback, callback_gas FROM request WHERE request_id = ?",
            rs ->
                rs.getLong(1) == e.modelId.longValueExact()
                    && rs.getString(2).equals(requester)
                    && Arrays.equals(rs.getBytes(3), e.inputHash)
                    && Db.wei(rs, "fee").equals(e.fee)
                    && rs.getLong(5) == e.deadline.longValueExact()
                    && rs.getString(6).equals(callback)
                    && rs.getLong(7) == e.callbackGas.longValueExact(),
            id);
    Object[] where = {log.getBlockNumber().longValueExact(), log.getBlockHash(), log.getTransactionHash()};
    if (same.isPresent() && same.get()) {
      Db.update(
          c, "UPDATE request SET block_number = ?, block_hash = ?, request_tx = ?, orphaned = false, updated_at = now() WHERE request_id = ?",
          where[0], where[1], where[2], id);
      return;
    }
    if (same.isPresent()) {
      LOG.warnf("request %d was replaced by a different request after a reorg; it starts over", id);
      Db.update(c, "DELETE FROM result WHERE request_id = ?", id);
      Db.update(c, "DELETE FROM attempt WHERE request_id = ?", id);
      Db.update(c, "DELETE FROM request WHERE request_id = ?", id);
    }
    Db.update(
        c,
        """
        INSERT INTO request (request_id, model_id, requester, input_hash, fee, deadline, callback, callback_gas, input,
                             model_hash, model_uri, quorum, block_number, block_hash, request_tx, state)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'SEEN')
        """,
        id, e.modelId.longValueExact(), requester, e.inputHash, e.fee, e.deadline.longValueExact(), callback,
        e.callbackGas.longValueExact(), e.input, model.hash(), model.uri(), model.quorum(), where[0], where[1], where[2]);
  }

  private void close(Connection c, long requestId, String state, Log log) throws SQLException {
    Optional<Timestamp> seen =
        Db.one(
            c, "SELECT seen_at FROM request WHERE request_id = ? AND state NOT IN ('SETTLED', 'REFUNDED', 'EXPIRED')",
            rs -> rs.getTimestamp(1), requestId);
    Db.update(
        c, "UPDATE request SET state = ?, final_block = ?, final_tx = ?, updated_at = now() WHERE request_id = ?", state,
        log.getBlockNumber().longValueExact(), log.getTransactionHash(), requestId);
    seen.ifPresent(t -> metrics.closed(state, Duration.between(t.toInstant(), Instant.now())));
  }

  private Void rewind(Connection c, LogFollower.Block ancestor) throws SQLException {
    long above = ancestor.number();
    int orphaned = Db.update(c, "UPDATE request SET orphaned = true, updated_at = now() WHERE block_number > ?", above);
    int reopened =
        Db.update(
            c,
            """
            UPDATE request SET state = CASE state WHEN 'EXPIRED' THEN 'EXPIRING' ELSE 'SUBMITTED' END,
                   final_block = NULL, final_tx = NULL, updated_at = now()
            WHERE final_block > ?
            """,
            above);
    // what was mined in the dropped blocks is unmined: the wallet sends it again, or drops it when its requests went
    Db.update(
        c, "UPDATE tx SET state = 'PENDING', mined_block = NULL, mined_hash = NULL, sent_at = now() WHERE state IN ('MINED', 'FINAL') AND mined_block > ?",
        above);
    // a reverted one released its requests already; its nonce is free again (the wallet fills the gap)
    Db.update(c, "UPDATE tx SET state = 'DROPPED', error = 'reverted in a block a reorg dropped' WHERE state = 'REVERTED' AND mined_block > ?", above);
    Db.update(c, "DELETE FROM checkpoint WHERE block_number > ?", above);
    LOG.infof("reorg handled: %d requests orphaned until seen again, %d closed requests reopened", orphaned, reopened);
    return null;
  }
}
