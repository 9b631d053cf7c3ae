// Over 400 lines on purpose: one store class per table, and every state change of a request is
// here, grouped by the component that makes it (listener, dispatcher, intake, settler, wallet,
// operators), so the request's whole lifecycle reads in one place.
package io.credence.relayer.store;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.chain.LogFollower;
import io.credence.protocol.service.JdbcCheckpoints;
import io.credence.relayer.model.RequestState;
import io.credence.relayer.model.TxKind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Table {@code request} with its dispatches ({@code attempt}) and the listener's cursor ({@code
 * checkpoint}, committed with the rows its blocks changed). Every state change of a request is a
 * method here; its states are {@link RequestState}.
 *
 * <p>Over 400 lines: the request table's state machine, whose transitions belong together; other
 * tables have stores of their own.
 */
@ApplicationScoped
public class RequestStore {
  private static final Logger LOG = Logger.getLogger(RequestStore.class);
  private static final String OPEN_UNSENT = "state = ANY (?)";

  private final Db db;
  private final JdbcCheckpoints checkpoints;

  @Inject
  public RequestStore(Db db) {
    this.db = db;
    this.checkpoints = new JdbcCheckpoints(db.dataSource());
  }

  /** The listener's cursor. */
  public LogFollower.Checkpoints checkpoints() {
    return checkpoints;
  }

  // ---- the chain listener
  // ------------------------------------------------------------------------

  /** What the listener read from one log, already decoded. */
  public sealed interface ChainEvent permits Requested, Closed, CourtStore.Event {}

  /** {@code InferenceRequested}, with the model's file as the ModelRegistry gave it. */
  public record Requested(
      long id,
      long modelId,
      String requester,
      byte[] inputHash,
      BigInteger fee,
      long deadline,
      String callback,
      long callbackGas,
      BigInteger gasAllowance,
      BigInteger maxFeePerGas,
      byte[] input,
      byte[] modelHash,
      String modelUri,
      int quorum,
      long block,
      String blockHash,
      String txHash)
      implements ChainEvent {}

  /**
   * {@code InferenceSettled}, {@code InferenceFailed} or {@code InferenceExpired}: the request is
   * {@code state}.
   */
  public record Closed(long id, RequestState state, long block, String txHash)
      implements ChainEvent {}

  /** A request closed by this step: how, and how long after it was seen. */
  public record Latency(RequestState state, Duration sinceSeen) {}

  /**
   * Applies the events of blocks up to {@code to} and makes {@code to} the cursor, in one
   * transaction: a crash anywhere resumes exactly where the last commit left off.
   */
  public List<Latency> applyBlocks(List<ChainEvent> events, LogFollower.Block to) {
    return db.tx(c -> {
      List<Latency> closed = new ArrayList<>();
      for (ChainEvent e : events) {
        switch (e) {
          case Requested r -> requested(c, r);
          case Closed x -> close(c, x).ifPresent(closed::add);
          case CourtStore.Event court -> CourtStore.apply(c, court);
        }
      }
      JdbcCheckpoints.save(c, to);
      return closed;
    });
  }

  /**
   * A request id seen again with the same fields is the same request and keeps its progress; one
   * with different fields (ids are sequential, so a reorg can give an id to another request) starts
   * over.
   */
  private static void requested(Connection c, Requested e) throws SQLException {
    Optional<Boolean> same =
        Db.one(
            c,
            "SELECT model_id, requester, input_hash, fee, deadline, callback, callback_gas, gas_allowance, max_fee_per_gas FROM request WHERE request_id = ?",
            rs ->
                rs.getLong(1) == e.modelId()
                    && rs.getString(2).equals(e.requester())
                    && Arrays.equals(rs.getBytes(3), e.inputHash())
                    && Db.wei(rs, "fee").equals(e.fee())
                    && rs.getLong(5) == e.deadline()
                    && rs.getString(6).equals(e.callback())
                    && rs.getLong(7) == e.callbackGas()
                    && Db.wei(rs, "gas_allowance").equals(e.gasAllowance())
                    && Db.wei(rs, "max_fee_per_gas").equals(e.maxFeePerGas()),
            e.id());
    if (same.isPresent() && same.get()) {
      Db.update(
          c,
          "UPDATE request SET block_number = ?, block_hash = ?, request_tx = ?, orphaned = false, updated_at = now() WHERE request_id = ?",
          e.block(),
          e.blockHash(),
          e.txHash(),
          e.id());
      return;
    }
    if (same.isPresent()) {
      LOG.warnf(
          "request %d was replaced by a different request after a reorg; it starts over", e.id());
      ResultStore.deleteFor(c, e.id());
      Db.update(c, "DELETE FROM attempt WHERE request_id = ?", e.id());
      Db.update(c, "DELETE FROM request WHERE request_id = ?", e.id());
    }
    Db.update(
        c,
        """
        INSERT INTO request (request_id, model_id, requester, input_hash, fee, deadline, callback, callback_gas,
                             gas_allowance, max_fee_per_gas, input, model_hash, model_uri, quorum, block_number,
                             block_hash, request_tx, state)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        e.id(),
        e.modelId(),
        e.requester(),
        e.inputHash(),
        e.fee(),
        e.deadline(),
        e.callback(),
        e.callbackGas(),
        e.gasAllowance(),
        e.maxFeePerGas(),
        e.input(),
        e.modelHash(),
        e.modelUri(),
        e.quorum(),
        e.block(),
        e.blockHash(),
        e.txHash(),
        RequestState.SEEN.name());
  }

  private static Optional<Latency> close(Connection c, Closed e) throws SQLException {
    Optional<Timestamp> seen =
        Db.one(
            c,
            "SELECT seen_at FROM request WHERE request_id = ? AND NOT (state = ANY (?))",
            rs -> rs.getTimestamp(1),
            e.id(),
            RequestState.names(RequestState.FINAL));
    Db.update(
        c,
        "UPDATE request SET state = ?, final_block = ?, final_tx = ?, updated_at = now() WHERE request_id = ?",
        e.state().name(),
        e.block(),
        e.txHash(),
        e.id());
    return seen.map(t -> new Latency(e.state(), Duration.between(t.toInstant(), Instant.now())));
  }

  /** What a rewind undid. */
  public record Rewound(int orphaned, int reopened) {}

  /**
   * Undoes the blocks above {@code ancestor} in one transaction: their requests are orphaned (never
   * dispatched or settled unless seen again), requests closed in them reopen, the wallet's
   * transactions mined in them are pending again, and the cursor goes back to {@code ancestor}.
   */
  public Rewound rewind(long ancestor) {
    return db.tx(c -> {
      int orphaned =
          Db.update(
              c,
              "UPDATE request SET orphaned = true, updated_at = now() WHERE block_number > ?",
              ancestor);
      int reopened =
          Db.update(
              c,
              """
              UPDATE request SET state = CASE state WHEN ? THEN ? ELSE ? END,
                     final_block = NULL, final_tx = NULL, updated_at = now()
              WHERE final_block > ?
              """,
              RequestState.EXPIRED.name(),
              RequestState.EXPIRING.name(),
              RequestState.SUBMITTED.name(),
              ancestor);
      TxStore.unmineAbove(c, ancestor);
      CourtStore.rewind(c, ancestor);
      JdbcCheckpoints.rewind(c, ancestor);
      return new Rewound(orphaned, reopened);
    });
  }

  // ---- the dispatcher
  // ----------------------------------------------------------------------------

  /** A request to send to the workers, as its {@code attempt}-th dispatch. */
  public record Dispatchable(
      long requestId,
      long modelId,
      byte[] modelHash,
      String modelUri,
      byte[] input,
      byte[] inputHash,
      int quorum,
      long deadline,
      int attempt) {}

  private static final String DISPATCHABLE =
      "SELECT request_id, model_id, model_hash, model_uri, input, input_hash, quorum, deadline, attempts FROM request ";

  /** Requests seen and never dispatched, oldest first. */
  public List<Dispatchable> fresh(int limit) {
    return db.query(
        DISPATCHABLE + "WHERE state = ? AND NOT orphaned ORDER BY request_id LIMIT ?",
        RequestStore::dispatchable,
        RequestState.SEEN.name(),
        limit);
  }

  /** Dispatched requests whose quorum did not arrive in time, with dispatches left. */
  public List<Dispatchable> overdue(int maxAttempts, int limit) {
    return db.query(
        DISPATCHABLE
            + "WHERE state = ? AND NOT orphaned AND redispatch_at < now() AND attempts < ? ORDER BY request_id LIMIT ?",
        RequestStore::dispatchable,
        RequestState.DISPATCHED.name(),
        maxAttempts,
        limit);
  }

  private static Dispatchable dispatchable(ResultSet rs) throws SQLException {
    return new Dispatchable(
        rs.getLong(1),
        rs.getLong(2),
        rs.getBytes(3),
        rs.getString(4),
        rs.getBytes(5),
        rs.getBytes(6),
        rs.getInt(7),
        rs.getLong(8),
        rs.getInt(9) + 1);
  }

  /** One dispatch Kafka acknowledged: to which partitions ("by-key" when by the model's key). */
  public record Dispatch(long requestId, int attempt, String partitions) {}

  /**
   * Marks requests DISPATCHED (to be dispatched again at {@code retryAt}) and records each attempt.
   */
  public void dispatched(List<Dispatch> sent, Instant retryAt) {
    Timestamp at = Timestamp.from(retryAt);
    db.tx(c -> {
      for (Dispatch d : sent) {
        Db.update(
            c,
            """
            UPDATE request SET state = ?, attempts = ?, redispatch_at = ?, updated_at = now()
            WHERE request_id = ? AND state IN (?, ?)
            """,
            RequestState.DISPATCHED.name(),
            d.attempt(),
            at,
            d.requestId(),
            RequestState.SEEN.name(),
            RequestState.DISPATCHED.name());
        Db.update(
            c,
            "INSERT INTO attempt (request_id, attempt, partitions) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            d.requestId(),
            d.attempt(),
            d.partitions());
      }
      return null;
    });
  }

  // ---- the result intake
  // -------------------------------------------------------------------------

  /** What a worker's result is checked against. */
  public record Committed(
      long id,
      byte[] modelHash,
      byte[] inputHash,
      int quorum,
      RequestState state,
      boolean orphaned) {}

  public Optional<Committed> committed(long requestId) {
    return db.one(
        "SELECT request_id, model_hash, input_hash, quorum, state, orphaned FROM request WHERE request_id = ?",
        rs ->
            new Committed(
                rs.getLong(1),
                rs.getBytes(2),
                rs.getBytes(3),
                rs.getInt(4),
                RequestState.valueOf(rs.getString(5)),
                rs.getBoolean(6)),
        requestId);
  }

  /** The request's state, locked until the caller's transaction ends. */
  static Optional<RequestState> lockState(Connection c, long requestId) throws SQLException {
    return Db.one(
        c,
        "SELECT state FROM request WHERE request_id = ? FOR UPDATE",
        rs -> RequestState.valueOf(rs.getString(1)),
        requestId);
  }

  /** A quorum agreed on {@code outcome}: the request is ready to settle. */
  static void quorum(Connection c, long requestId, ResultStore.Outcome o) throws SQLException {
    Db.update(
        c,
        """
        UPDATE request SET state = ?, outcome = ?, output = ?, output_hash = ?, reason = ?, detail_hash = ?,
               result_at = now(), updated_at = now()
        WHERE request_id = ?
        """,
        RequestState.RESULT.name(),
        o.status(),
        o.output(),
        o.outputHash(),
        o.reason(),
        o.detailHash(),
        requestId);
  }

  // ---- the wallet's transactions
  // -----------------------------------------------------------------

  /** The requests of a new transaction are in it (SUBMITTED, or EXPIRING for an expiry). */
  static void carriedBy(Connection c, long txId, TxKind kind, List<Long> requestIds)
      throws SQLException {
    for (long r : requestIds) {
      Db.update(
          c,
          "UPDATE request SET state = ?, tx_id = ?, submissions = submissions + 1, wait_reason = NULL, wait_until = NULL, updated_at = now() WHERE request_id = ?",
          kind.carries().name(),
          txId,
          r);
    }
  }

  /**
   * The requests of a transaction that will not settle them go back to be checked and queued again.
   */
  static void release(Connection c, long txId, String why) throws SQLException {
    Db.update(
        c,
        """
        UPDATE request SET state = CASE WHEN state = ? THEN ? ELSE ? END, tx_id = NULL, error = ?, updated_at = now()
        WHERE tx_id = ? AND state IN (?, ?)
        """,
        RequestState.EXPIRING.name(),
        RequestState.EXPIRING.name(),
        RequestState.RESULT.name(),
        why,
        txId,
        RequestState.SUBMITTED.name(),
        RequestState.EXPIRING.name());
  }

  /** The hub skipped these receipts because their deadline had passed: they are to be expired. */
  static void deadlinePassed(Connection c, List<Long> requestIds) throws SQLException {
    for (long r : requestIds) {
      Db.update(
          c,
          "UPDATE request SET state = ?, tx_id = NULL, updated_at = now() WHERE request_id = ? AND state = ?",
          RequestState.EXPIRING.name(),
          r,
          RequestState.SUBMITTED.name());
    }
  }

  // ---- the settler
  // -------------------------------------------------------------------------------

  /** A request with a quorum outcome, with what the hub needs to settle it. */
  public record Ready(
      long id,
      InferenceHub.Request request,
      String outcome,
      byte[] output,
      Integer reason,
      byte[] detailHash,
      int quorum,
      Instant resultAt) {}

  /** The columns {@link #hubRequest} reads: select them from {@code request}. */
  static final String REQUEST_FIELDS =
      "requester, model_id, input_hash, fee, deadline, callback, callback_gas, gas_allowance, max_fee_per_gas";

  private static final String READY =
      "SELECT request_id, outcome, output, reason, detail_hash, quorum, result_at, "
          + REQUEST_FIELDS
          + " FROM request ";

  private static Ready ready(ResultSet rs) throws SQLException {
    return new Ready(
        rs.getLong("request_id"),
        hubRequest(rs),
        rs.getString("outcome"),
        rs.getBytes("output"),
        (Integer) rs.getObject("reason"),
        rs.getBytes("detail_hash"),
        rs.getInt("quorum"),
        rs.getTimestamp("result_at") == null ? null : rs.getTimestamp("result_at").toInstant());
  }

  /**
   * Requests ready to settle, oldest result first. One the hub refused before waits {@code
   * resubmitAfter} since its last change, so a refused receipt is not estimated again every round.
   */
  public List<Ready> readyToSettle(Duration resubmitAfter, int limit) {
    return db.query(
        READY
            + """
            WHERE state = ? AND NOT orphaned AND (submissions = 0 OR updated_at < now() - ? * interval '1 millisecond')
              AND (wait_until IS NULL OR wait_until < now())
            ORDER BY result_at, request_id LIMIT ?
            """,
        RequestStore::ready,
        RequestState.RESULT.name(),
        resubmitAfter.toMillis(),
        limit);
  }

  /**
   * A ready request that does not pay back its settlement at today's fees: not looked at again for
   * {@code pause}, and {@code reason} says why (its status, until it is sent).
   */
  public void waitFor(long requestId, String reason, Duration pause) {
    db.update(
        "UPDATE request SET wait_reason = ?, wait_until = now() + ? * interval '1 millisecond' WHERE request_id = ? AND state = ?",
        reason,
        pause.toMillis(),
        requestId,
        RequestState.RESULT.name());
  }

  /** A ready request whose deadline passed before it was sent: it is to be expired instead. */
  public void tooLateToSettle(long requestId) {
    db.update(
        "UPDATE request SET state = ?, updated_at = now() WHERE request_id = ? AND state = ?",
        RequestState.EXPIRING.name(),
        requestId,
        RequestState.RESULT.name());
  }

  /**
   * The hub refused the receipt because the request is closed already: the listener will record
   * how.
   */
  public void closedElsewhere(long requestId, String revert) {
    db.update(
        "UPDATE request SET state = ?, tx_id = NULL, error = ?, updated_at = now() WHERE request_id = ?",
        RequestState.SUBMITTED.name(),
        revert,
        requestId);
  }

  /**
   * The hub refused the receipt of a request it still holds; returns how many times that happened.
   */
  public int refused(long requestId, String revert) {
    return db.one(
            "UPDATE request SET submissions = submissions + 1, error = ?, updated_at = now() WHERE request_id = ? RETURNING submissions",
            rs -> rs.getInt(1),
            revert,
            requestId)
        .orElse(0);
  }

  /** Given up after too many refusals: expired at its deadline. */
  public void reject(long requestId) {
    db.update(
        "UPDATE request SET state = ?, updated_at = now() WHERE request_id = ?",
        RequestState.REJECTED.name(),
        requestId);
  }

  /**
   * Open requests not in a transaction whose deadline is before {@code chainTime} are to be
   * expired.
   */
  public void pastDeadline(long chainTime) {
    db.update(
        "UPDATE request SET state = ?, updated_at = now() WHERE "
            + OPEN_UNSENT
            + " AND NOT orphaned AND deadline < ?",
        RequestState.EXPIRING.name(),
        RequestState.names(RequestState.UNSENT),
        chainTime);
  }

  /** Requests to be expired and not yet in a transaction. */
  public List<Ready> dueForExpiry(int limit) {
    return db.query(
        READY + "WHERE state = ? AND tx_id IS NULL AND NOT orphaned ORDER BY request_id LIMIT ?",
        RequestStore::ready,
        RequestState.EXPIRING.name(),
        limit);
  }

  /** The expiry was refused because the request is closed already: the listener will record how. */
  public void expiryClosedElsewhere(long requestId, String revert) {
    db.update(
        "UPDATE request SET state = ?, error = ?, updated_at = now() WHERE request_id = ? AND state = ?",
        RequestState.SUBMITTED.name(),
        revert,
        requestId,
        RequestState.EXPIRING.name());
  }

  /**
   * Requests SUBMITTED for at least {@code quietFor} whose transaction is gone or done while the
   * chain has not closed them (yet).
   */
  public List<Long> submittedWithoutOpenTx(Duration quietFor, int limit) {
    return db.query(
        """
        SELECT r.request_id FROM request r
        WHERE r.state = ? AND r.updated_at < now() - ? * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM tx t WHERE t.id = r.tx_id AND t.state = ANY (?))
        ORDER BY r.request_id LIMIT ?
        """,
        rs -> rs.getLong(1),
        RequestState.SUBMITTED.name(),
        quietFor.toMillis(),
        TxStore.OPEN,
        limit);
  }

  /** A submitted request the hub still holds goes back to the settlement queue. */
  public void backToSettle(long requestId) {
    db.update(
        "UPDATE request SET state = ?, tx_id = NULL, updated_at = now() WHERE request_id = ? AND state = ?",
        RequestState.RESULT.name(),
        requestId,
        RequestState.SUBMITTED.name());
  }

  /** Looked at now: checked again after the quiet time, not every round. */
  public void touch(long requestId) {
    db.update("UPDATE request SET updated_at = now() WHERE request_id = ?", requestId);
  }

  // ---- operators and metrics
  // ---------------------------------------------------------------------

  public Optional<RequestState> state(long requestId) {
    return db.one(
        "SELECT state FROM request WHERE request_id = ?",
        rs -> RequestState.valueOf(rs.getString(1)),
        requestId);
  }

  /**
   * An operator's retry: an open request not in a transaction goes back to SEEN (dispatched again)
   * or RESULT (settled again, when it has its quorum), with fresh attempt and submission budgets.
   *
   * @return false when the request is closed or in a transaction
   */
  public boolean retry(long requestId) {
    return db.update(
            """
            UPDATE request SET state = CASE WHEN outcome IS NULL THEN ? ELSE ? END, attempts = 0, submissions = 0,
                   tx_id = NULL, error = NULL, updated_at = now()
            WHERE request_id = ? AND
            """
                + OPEN_UNSENT,
            RequestState.SEEN.name(),
            RequestState.RESULT.name(),
            requestId,
            RequestState.names(RequestState.UNSENT))
        > 0;
  }

  /** Requests per state (queue depths). */
  public Map<RequestState, Long> countByState() {
    Map<RequestState, Long> out = new EnumMap<>(RequestState.class);
    db.query(
        "SELECT state, count(*) FROM request GROUP BY state",
        rs -> out.put(RequestState.valueOf(rs.getString(1)), rs.getLong(2)));
    return out;
  }

  /** A request as the hub's {@code Request} struct (its fields as committed on-chain). */
  /** The request exactly as the hub committed it, from a row holding {@link #REQUEST_FIELDS}. */
  static InferenceHub.Request hubRequest(ResultSet rs) throws SQLException {
    return new InferenceHub.Request(
        rs.getString("requester"),
        BigInteger.valueOf(rs.getLong("model_id")),
        rs.getBytes("input_hash"),
        Db.wei(rs, "fee"),
        BigInteger.valueOf(rs.getLong("deadline")),
        rs.getString("callback"),
        BigInteger.valueOf(rs.getLong("callback_gas")),
        Db.wei(rs, "gas_allowance"),
        Db.wei(rs, "max_fee_per_gas"));
  }
}
