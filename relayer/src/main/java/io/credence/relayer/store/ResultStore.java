package io.credence.relayer.store;

import io.credence.protocol.Hashes;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.relayer.model.RequestState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Tables {@code result} (verified worker results, the first per worker and request counts) and
 * {@code rejected_result} (results that failed verification, kept for operators).
 */
@ApplicationScoped
public class ResultStore {
  private static final Logger LOG = Logger.getLogger(ResultStore.class);

  /** What became of a verified result. */
  public enum Verdict {
    ACCEPTED,
    QUORUM,
    DUPLICATE,
    LATE,
    REJECTED
  }

  /**
   * What a worker signed: {@code OK} with the output and its hash, or {@code FAILED} with the
   * failure reason and the hash of its detail.
   */
  public record Outcome(
      String status, byte[] output, byte[] outputHash, Integer reason, byte[] detailHash) {
    /** Results agree when this key is equal. */
    String key() {
      return "OK".equals(status)
          ? "OK:" + Hashes.hex(outputHash)
          : "FAILED:" + reason + ":" + Hashes.hex(detailHash);
    }
  }

  private final Db db;

  @Inject
  public ResultStore(Db db) {
    this.db = db;
  }

  /**
   * Stores {@code worker}'s verified result for request {@code requestId} and, once {@code quorum}
   * workers signed the same outcome while the request still waits for results, makes the request
   * ready to settle (RESULT), all in one transaction.
   */
  public Verdict record(
      long requestId, int quorum, String worker, Outcome o, Long executedAt, byte[] signature) {
    return db.tx(c -> {
      int inserted =
          Db.update(
              c,
              """
              INSERT INTO result (request_id, worker, status, output, output_hash, executed_at, reason, detail_hash, signature)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
              """,
              requestId,
              worker,
              o.status(),
              o.output(),
              o.outputHash(),
              executedAt,
              o.reason(),
              o.detailHash(),
              signature);
      if (inserted == 0) {
        return Verdict.DUPLICATE;
      }
      var state = RequestStore.lockState(c, requestId);
      if (state.isEmpty() || !RequestState.AWAITING_RESULTS.contains(state.get())) {
        return Verdict.LATE;
      }
      List<Outcome> all =
          Db.query(
              c,
              "SELECT status, output, output_hash, reason, detail_hash FROM result WHERE request_id = ? ORDER BY received_at",
              rs ->
                  new Outcome(
                      rs.getString(1),
                      rs.getBytes(2),
                      rs.getBytes(3),
                      (Integer) rs.getObject(4),
                      rs.getBytes(5)),
              requestId);
      Map<String, Integer> byOutcome = new HashMap<>();
      all.forEach(x -> byOutcome.merge(x.key(), 1, Integer::sum));
      if (byOutcome.getOrDefault(o.key(), 0) < quorum) {
        if (byOutcome.size() > 1) {
          LOG.warnf(
              "request %d: workers disagree (%d different outcomes); waiting for a quorum",
              requestId, byOutcome.size());
        }
        return Verdict.ACCEPTED;
      }
      RequestStore.quorum(c, requestId, o);
      return Verdict.QUORUM;
    });
  }

  /** Keeps a result that failed verification, with why. */
  public void rejected(long requestId, String worker, String why) {
    db.update(
        "INSERT INTO rejected_result (request_id, worker, why) VALUES (?, ?, ?)",
        requestId,
        worker,
        why);
  }

  /** The signatures that agree with each request's quorum outcome, oldest first. */
  public Map<Long, List<HubReceipts.Signed>> agreeingSignatures(List<Long> requestIds) {
    Map<Long, List<HubReceipts.Signed>> out = new HashMap<>();
    db.query(
        """
        SELECT s.request_id, s.worker, s.executed_at, s.signature FROM result s JOIN request r ON r.request_id = s.request_id
        WHERE s.request_id = ANY (?) AND s.status = r.outcome
          AND (s.output_hash = r.output_hash OR (s.reason = r.reason AND s.detail_hash = r.detail_hash))
        ORDER BY s.received_at
        """,
        rs ->
            out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                .add(new HubReceipts.Signed(rs.getString(2), rs.getLong(3), rs.getBytes(4))),
        (Object) requestIds.toArray(Long[]::new));
    return out;
  }

  /** A request id that now belongs to another request: its results no longer count. */
  static void deleteFor(Connection c, long requestId) throws SQLException {
    Db.update(c, "DELETE FROM result WHERE request_id = ?", requestId);
  }
}
