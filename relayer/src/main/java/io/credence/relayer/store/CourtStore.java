package io.credence.relayer.store;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.dispute.DisputeState;
import io.credence.relayer.store.RequestStore.ChainEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Tables {@code settled}, {@code batch}, {@code dispute} and {@code verdict}: the relayer's view of
 * the DisputeCourt. The chain's events are applied in the listener's transaction ({@link
 * RequestStore#applyBlocks}), so they move with its cursor and are undone by a rewind; verdicts
 * come from the jurors over Kafka; the {@code sent_at} columns say when the relayer last sent a
 * court transaction, so a round does not send it again before it had time to be mined.
 *
 * <p>Over 400 lines: the SQL of the four court tables, applied in the listener's transaction; the
 * architecture test keeps SQL in the store classes.
 */
@ApplicationScoped
public class CourtStore {
  private final Db db;

  @Inject
  public CourtStore(Db db) {
    this.db = db;
  }

  // ---- events, in the listener's transaction
  // ---------------------------------------------------------------------------------------

  /** A court-related event the listener read. */
  public sealed interface Event extends ChainEvent {}

  /** {@code InferenceSettled}: an answer and its proofs. */
  public record Settled(long requestId, byte[] output, byte[] proofs, long block, String txHash)
      implements Event {}

  /** {@code BatchSettled}: the batch's requests in settlement order, and its block's time. */
  public record BatchRecorded(
      long batchId, List<Long> requestIds, long block, long settledAt, String txHash)
      implements Event {}

  /** {@code AuditsDrawn}. */
  public record AuditsDrawn(long batchId, long block) implements Event {}

  /** {@code DisputeOpened}, with the block its jury's seed comes from. */
  public record Opened(
      long disputeId, long requestId, int kind, byte[] outputHash, long seedBlock, long block)
      implements Event {}

  /** {@code JuryDrawDeferred}: a new seed block. */
  public record Deferred(long disputeId, long seedBlock) implements Event {}

  /** {@code JuryDrawn}. */
  public record Drawn(long disputeId, List<String> jurors, long verdictDeadline, long block)
      implements Event {}

  /** {@code VerdictRecorded}. */
  public record Recorded(long disputeId, String juror, long block) implements Event {}

  /** {@code DisputeResolved}. */
  public record Resolved(long disputeId, DisputeState state, long block) implements Event {}

  static void apply(Connection c, Event e) throws SQLException {
    switch (e) {
      case Settled s ->
          Db.update(
              c,
              """
              INSERT INTO settled (request_id, output, proofs, block_number, tx_hash) VALUES (?, ?, ?, ?, ?)
              ON CONFLICT (request_id) DO UPDATE SET output = EXCLUDED.output, proofs = EXCLUDED.proofs,
                block_number = EXCLUDED.block_number, tx_hash = EXCLUDED.tx_hash, batch_id = NULL, position = NULL
              """,
              s.requestId(),
              s.output(),
              s.proofs(),
              s.block(),
              s.txHash());
      case BatchRecorded b -> {
        Db.update(
            c,
            """
            INSERT INTO batch (batch_id, count, settled_block, settled_at, tx_hash, state) VALUES (?, ?, ?, ?, ?, 'PENDING')
            ON CONFLICT (batch_id) DO UPDATE SET count = EXCLUDED.count, settled_block = EXCLUDED.settled_block,
              settled_at = EXCLUDED.settled_at, tx_hash = EXCLUDED.tx_hash, state = 'PENDING', drawn_block = NULL, sent_at = NULL
            """,
            b.batchId(),
            b.requestIds().size(),
            b.block(),
            b.settledAt(),
            b.txHash());
        for (int i = 0; i < b.requestIds().size(); i++) {
          Db.update(
              c,
              "UPDATE settled SET batch_id = ?, position = ? WHERE request_id = ?",
              b.batchId(),
              i,
              b.requestIds().get(i));
        }
      }
      case AuditsDrawn a ->
          Db.update(
              c,
              "UPDATE batch SET state = 'DRAWN', drawn_block = ? WHERE batch_id = ?",
              a.block(),
              a.batchId());
      case Opened o ->
          Db.update(
              c,
              """
              INSERT INTO dispute (dispute_id, request_id, kind, output_hash, state, seed_block, opened_block)
              VALUES (?, ?, ?, ?, 'AWAITING_JURY', ?, ?)
              ON CONFLICT (dispute_id) DO UPDATE SET request_id = EXCLUDED.request_id, kind = EXCLUDED.kind,
                output_hash = EXCLUDED.output_hash,
                state = 'AWAITING_JURY', seed_block = EXCLUDED.seed_block, opened_block = EXCLUDED.opened_block,
                jurors = NULL, verdict_deadline = NULL, drawn_block = NULL, resolved_block = NULL,
                dispatched = false, sent_at = NULL
              """,
              o.disputeId(),
              o.requestId(),
              (short) o.kind(),
              o.outputHash(),
              o.seedBlock(),
              o.block());
      case Deferred d ->
          Db.update(
              c,
              "UPDATE dispute SET seed_block = ?, sent_at = NULL WHERE dispute_id = ?",
              d.seedBlock(),
              d.disputeId());
      case Drawn d ->
          Db.update(
              c,
              """
              UPDATE dispute SET state = 'VOTING', jurors = ?, verdict_deadline = ?, drawn_block = ?, sent_at = NULL
              WHERE dispute_id = ?
              """,
              d.jurors().toArray(String[]::new),
              d.verdictDeadline(),
              d.block(),
              d.disputeId());
      case Recorded r ->
          Db.update(
              c,
              "UPDATE verdict SET recorded_block = ? WHERE dispute_id = ? AND juror = ?",
              r.block(),
              r.disputeId(),
              r.juror());
      case Resolved r ->
          Db.update(
              c,
              "UPDATE dispute SET state = ?, resolved_block = ? WHERE dispute_id = ?",
              r.state().name(),
              r.block(),
              r.disputeId());
    }
  }

  /** Undoes what blocks above {@code ancestor} did (in the listener's rewind transaction). */
  static void rewind(Connection c, long ancestor) throws SQLException {
    Db.update(
        c,
        "UPDATE settled SET batch_id = NULL, position = NULL WHERE batch_id IN (SELECT batch_id FROM batch WHERE settled_block > ?)",
        ancestor);
    Db.update(c, "DELETE FROM settled WHERE block_number > ?", ancestor);
    Db.update(c, "DELETE FROM batch WHERE settled_block > ?", ancestor);
    Db.update(
        c,
        "UPDATE batch SET state = 'PENDING', drawn_block = NULL, sent_at = NULL WHERE drawn_block > ?",
        ancestor);
    Db.update(c, "DELETE FROM dispute WHERE opened_block > ?", ancestor);
    Db.update(
        c,
        """
        UPDATE dispute SET state = CASE WHEN drawn_block > ? THEN 'AWAITING_JURY' ELSE 'VOTING' END,
               resolved_block = NULL, sent_at = NULL
        WHERE resolved_block > ?
        """,
        ancestor,
        ancestor);
    Db.update(
        c,
        """
        UPDATE dispute SET state = 'AWAITING_JURY', jurors = NULL, verdict_deadline = NULL, drawn_block = NULL,
               dispatched = false, sent_at = NULL
        WHERE drawn_block > ?
        """,
        ancestor);
    Db.update(c, "UPDATE verdict SET recorded_block = NULL WHERE recorded_block > ?", ancestor);
  }

  // ---- audits
  // ---------------------------------------------------------------------------------------------

  /** A batch whose audits are not drawn yet. */
  public record Batch(long batchId, int count, long settledBlock, long settledAt) {}

  /** Batches to draw: PENDING, not sent within {@code resendAfter}. */
  public List<Batch> batchesToDraw(Duration resendAfter, int limit) {
    return db.query(
        """
        SELECT batch_id, count, settled_block, settled_at FROM batch
        WHERE state = 'PENDING' AND (sent_at IS NULL OR sent_at < ?)
        ORDER BY settled_block LIMIT ?
        """,
        rs -> new Batch(rs.getLong(1), rs.getInt(2), rs.getLong(3), rs.getLong(4)),
        Timestamp.from(Instant.now().minus(resendAfter)),
        limit);
  }

  /** A leaf of a batch, with what is needed to rebuild it and its request's commitment. */
  public record Leaf(
      long requestId,
      InferenceHub.Request request,
      byte[] modelHash,
      byte[] output,
      byte[] proofs) {}

  /**
   * The leaves of a batch in settlement order; empty when the relayer does not know every one of
   * its requests or answers (the batch cannot be proven by it).
   */
  public List<Leaf> leaves(Batch b) {
    List<Leaf> leaves =
        db.query(
            "SELECT s.request_id, r.model_hash, s.output, s.proofs, "
                + RequestStore.REQUEST_FIELDS
                + " FROM settled s JOIN request r ON r.request_id = s.request_id"
                + " WHERE s.batch_id = ? ORDER BY s.position",
            rs ->
                new Leaf(
                    rs.getLong("request_id"),
                    RequestStore.hubRequest(rs),
                    rs.getBytes("model_hash"),
                    rs.getBytes("output"),
                    rs.getBytes("proofs")),
            b.batchId());
    return leaves.size() == b.count() ? leaves : List.of();
  }

  public void batchSent(long batchId) {
    db.update("UPDATE batch SET sent_at = now() WHERE batch_id = ?", batchId);
  }

  /** The court says the batch is drawn already (its event will follow) or can no longer be. */
  public void batchDone(long batchId, boolean missed) {
    db.update(
        "UPDATE batch SET state = ? WHERE batch_id = ? AND state = 'PENDING'",
        missed ? "MISSED" : "DRAWN",
        batchId);
  }

  // ---- disputes
  // -------------------------------------------------------------------------------------------

  /** A dispute as the relayer acts on it. */
  public record Dispute(
      long disputeId,
      long requestId,
      int kind,
      DisputeState state,
      long seedBlock,
      List<String> jurors,
      long verdictDeadline,
      byte[] outputHash) {}

  private static Dispute dispute(ResultSet rs) throws SQLException {
    Array jurors = rs.getArray(6);
    return new Dispute(
        rs.getLong(1),
        rs.getLong(2),
        rs.getInt(3),
        DisputeState.valueOf(rs.getString(4)),
        rs.getLong(5),
        jurors == null ? List.of() : Arrays.asList((String[]) jurors.getArray()),
        rs.getLong(7),
        rs.getBytes(8));
  }

  private static final String DISPUTE =
      "SELECT dispute_id, request_id, kind, state, seed_block, jurors, verdict_deadline, output_hash FROM dispute ";

  public Optional<Dispute> dispute(long disputeId) {
    return db.one(DISPUTE + "WHERE dispute_id = ?", CourtStore::dispute, disputeId);
  }

  /** Challenges whose jury is to be drawn, not sent within {@code resendAfter}. */
  public List<Dispute> awaitingJury(Duration resendAfter, int limit) {
    return db.query(
        DISPUTE
            + "WHERE state = 'AWAITING_JURY' AND (sent_at IS NULL OR sent_at < ?) ORDER BY dispute_id LIMIT ?",
        CourtStore::dispute,
        Timestamp.from(Instant.now().minus(resendAfter)),
        limit);
  }

  /** Disputes whose jury was drawn and not yet given the job. */
  public List<Dispute> toDispatch(int limit) {
    return db.query(
        DISPUTE + "WHERE state = 'VOTING' AND NOT dispatched ORDER BY dispute_id LIMIT ?",
        CourtStore::dispute,
        limit);
  }

  public void dispatched(long disputeId) {
    db.update("UPDATE dispute SET dispatched = true WHERE dispute_id = ?", disputeId);
  }

  /**
   * Disputes whose verdict window closed by {@code chainTime}, not sent within {@code resendAfter}.
   */
  public List<Dispute> dueForResolution(long chainTime, Duration resendAfter, int limit) {
    return db.query(
        DISPUTE
            + "WHERE state = 'VOTING' AND verdict_deadline < ? AND (sent_at IS NULL OR sent_at < ?) ORDER BY dispute_id LIMIT ?",
        CourtStore::dispute,
        chainTime,
        Timestamp.from(Instant.now().minus(resendAfter)),
        limit);
  }

  public void disputeSent(long disputeId) {
    db.update("UPDATE dispute SET sent_at = now() WHERE dispute_id = ?", disputeId);
  }

  /** What the jury job of a dispute needs from the request and its answer. */
  public record Job(
      long modelId,
      byte[] modelHash,
      String modelUri,
      byte[] input,
      byte[] inputHash,
      byte[] output) {}

  public Optional<Job> job(long requestId) {
    return db.one(
        """
        SELECT r.model_id, r.model_hash, r.model_uri, r.input, r.input_hash, s.output
        FROM request r JOIN settled s ON s.request_id = r.request_id WHERE r.request_id = ?
        """,
        rs ->
            new Job(
                rs.getLong(1),
                rs.getBytes(2),
                rs.getString(3),
                rs.getBytes(4),
                rs.getBytes(5),
                rs.getBytes(6)),
        requestId);
  }

  // ---- verdicts
  // -------------------------------------------------------------------------------------------

  /** A juror's signed verdict. */
  public record Verdict(
      long disputeId, String juror, byte[] jurorOutputHash, boolean agrees, byte[] signature) {}

  /** Stores a verdict; false when this juror's verdict on the dispute was stored already. */
  public boolean addVerdict(Verdict v) {
    return db.update(
            """
            INSERT INTO verdict (dispute_id, juror, juror_output_hash, agrees, signature) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (dispute_id, juror) DO NOTHING
            """,
            v.disputeId(),
            v.juror(),
            v.jurorOutputHash(),
            v.agrees(),
            v.signature())
        == 1;
  }

  /**
   * Verdicts to submit: of jurors of disputes still voting, not recorded, not sent within {@code
   * resendAfter}.
   */
  public List<Verdict> verdictsToSubmit(Duration resendAfter, int limit) {
    return db.query(
        """
        SELECT v.dispute_id, v.juror, v.juror_output_hash, v.agrees, v.signature
        FROM verdict v JOIN dispute d ON d.dispute_id = v.dispute_id
        WHERE d.state = 'VOTING' AND v.juror = ANY (d.jurors) AND v.recorded_block IS NULL
          AND (v.sent_at IS NULL OR v.sent_at < ?)
        ORDER BY v.received_at LIMIT ?
        """,
        rs ->
            new Verdict(
                rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getBoolean(4), rs.getBytes(5)),
        Timestamp.from(Instant.now().minus(resendAfter)),
        limit);
  }

  public void verdictsSent(List<Verdict> sent) {
    db.tx(c -> {
      for (Verdict v : sent) {
        Db.update(
            c,
            "UPDATE verdict SET sent_at = now() WHERE dispute_id = ? AND juror = ?",
            v.disputeId(),
            v.juror());
      }
      return null;
    });
  }

  /** Disputes by state, and batches by state, for the metrics. */
  public Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    db.query(
            "SELECT 'dispute.' || state, count(*) FROM dispute GROUP BY state UNION ALL SELECT 'batch.' || state, count(*) FROM batch GROUP BY state",
            rs -> Map.entry(rs.getString(1), rs.getLong(2)))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
