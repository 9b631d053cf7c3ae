package io.credence.relayer.store;

import io.credence.protocol.Hashes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/** Everything the relayer recorded about one request, read in one transaction for the API. */
@ApplicationScoped
public class RequestHistory {
  private final Db db;

  @Inject
  public RequestHistory(Db db) {
    this.db = db;
  }

  /** The request's view, or empty when this relayer has not seen it. */
  public Optional<RequestView> view(long requestId) {
    return db.tx(c -> {
      List<RequestView.Attempt> attempts =
          Db.query(
              c,
              "SELECT attempt, partitions, dispatched_at FROM attempt WHERE request_id = ? ORDER BY attempt",
              rs ->
                  new RequestView.Attempt(
                      rs.getInt(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString()),
              requestId);
      List<RequestView.Result> results =
          Db.query(
              c,
              "SELECT worker, status, output_hash, executed_at, reason, received_at FROM result WHERE request_id = ? ORDER BY received_at",
              rs ->
                  new RequestView.Result(
                      rs.getString(1),
                      rs.getString(2),
                      hex(rs.getBytes(3)),
                      (Long) rs.getObject(4),
                      (Integer) rs.getObject(5),
                      rs.getTimestamp(6).toInstant().toString()),
              requestId);
      List<RequestView.Rejected> rejected =
          Db.query(
              c,
              "SELECT worker, why, received_at FROM rejected_result WHERE request_id = ? ORDER BY id",
              rs ->
                  new RequestView.Rejected(
                      rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant().toString()),
              requestId);
      List<RequestView.Tx> txs =
          Db.query(
              c,
              """
              SELECT t.kind, COALESCE(t.mined_hash, t.hash), t.nonce, t.state, t.replacements, t.mined_block, t.gas_used, t.receipts,
                     t.spent, t.credited
              FROM tx t JOIN tx_request x ON x.tx_id = t.id WHERE x.request_id = ? ORDER BY t.id
              """,
              rs ->
                  new RequestView.Tx(
                      rs.getString(1),
                      rs.getString(2),
                      rs.getLong(3),
                      rs.getString(4),
                      rs.getInt(5),
                      (Long) rs.getObject(6),
                      (Long) rs.getObject(7),
                      rs.getInt(8),
                      rs.getString(9),
                      rs.getString(10)),
              requestId);
      return Db.one(
          c,
          """
          SELECT state, orphaned, model_id, requester, fee, deadline, request_tx, outcome, output_hash, output, reason,
                 final_tx, error, gas_allowance, max_fee_per_gas, wait_reason
          FROM request WHERE request_id = ?
          """,
          rs ->
              new RequestView(
                  requestId,
                  rs.getString(1),
                  rs.getBoolean(2),
                  rs.getLong(3),
                  rs.getString(4),
                  Db.wei(rs, "fee").toString(),
                  Db.wei(rs, "gas_allowance").toString(),
                  Db.wei(rs, "max_fee_per_gas").toString(),
                  "RESULT".equals(rs.getString(1)) ? rs.getString("wait_reason") : null,
                  rs.getLong(6),
                  rs.getString(7),
                  attempts,
                  results,
                  rejected,
                  txs,
                  rs.getString(8) == null
                      ? null
                      : new RequestView.Receipt(
                          rs.getString(8),
                          hex(rs.getBytes(9)),
                          hex(rs.getBytes(10)),
                          (Integer) rs.getObject(11)),
                  rs.getString(12),
                  rs.getString(13)),
          requestId);
    });
  }

  private static String hex(byte[] b) {
    return b == null ? null : Hashes.hex(b);
  }
}
