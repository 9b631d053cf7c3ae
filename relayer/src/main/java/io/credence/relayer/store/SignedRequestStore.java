package io.credence.relayer.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/**
 * Table {@code signed_request}: requests signed off-chain and posted to {@code POST /v1/requests},
 * stored before anything is sent (QUEUED), submitted by the loop (SENT, with the transaction that
 * carries them), MINED with the hub's request id, or FAILED with why. Keyed by the request's
 * EIP-712 digest, so the same signed request posted twice is one row.
 */
@ApplicationScoped
public class SignedRequestStore {
  /** Where a signed request is. */
  public enum State {
    QUEUED,
    SENT,
    MINED,
    FAILED
  }

  /** One row: {@code call} is the {@code requestInferenceFor} calldata to send. */
  public record Signed(
      byte[] digest,
      String requester,
      byte[] call,
      State state,
      Long txId,
      Long requestId,
      String error) {}

  private final Db db;

  @Inject
  public SignedRequestStore(Db db) {
    this.db = db;
  }

  /** Stores a new signed request; false when one with this digest is stored already. */
  public boolean queue(byte[] digest, String requester, byte[] call) {
    return db.update(
            "INSERT INTO signed_request (digest, requester, body, state) VALUES (?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING",
            digest,
            requester,
            call,
            State.QUEUED.name())
        == 1;
  }

  /** A row of {@code digest, requester, body, state, tx_id, request_id, error}. */
  private static Signed row(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Signed(
        rs.getBytes(1),
        rs.getString(2),
        rs.getBytes(3),
        State.valueOf(rs.getString(4)),
        (Long) rs.getObject(5),
        (Long) rs.getObject(6),
        rs.getString(7));
  }

  public Optional<Signed> find(byte[] digest) {
    return db.one(
        "SELECT digest, requester, body, state, tx_id, request_id, error FROM signed_request WHERE digest = ?",
        SignedRequestStore::row,
        digest);
  }

  /**
   * What the loop is to send, oldest first: QUEUED rows, and SENT ones whose transaction was
   * dropped (never to be mined).
   */
  public List<Signed> toSend(int limit) {
    return db.query(
        """
        SELECT s.digest, s.requester, s.body, s.state, s.tx_id, s.request_id, s.error
        FROM signed_request s LEFT JOIN tx t ON t.id = s.tx_id
        WHERE s.state = 'QUEUED' OR (s.state = 'SENT' AND t.state = 'DROPPED')
        ORDER BY s.created_at LIMIT ?
        """,
        SignedRequestStore::row,
        limit);
  }

  /** What a transaction carrying {@code digest}'s request records when it is stored. */
  public static TxStore.Carries sentIn(byte[] digest) {
    return (c, txId) ->
        Db.update(
            c,
            "UPDATE signed_request SET state = 'SENT', tx_id = ?, error = NULL, updated_at = now() WHERE digest = ?",
            txId,
            digest);
  }

  /** The hub refuses it, or the transaction that carried it reverted. */
  public void failed(byte[] digest, String why) {
    db.update(
        "UPDATE signed_request SET state = 'FAILED', error = ?, updated_at = now() WHERE digest = ?",
        why,
        digest);
  }

  /** A SENT row whose transaction was mined (or reverted): its transaction's hash and state. */
  public record Landed(byte[] digest, long txId, String minedHash, String txState) {}

  /** SENT rows whose transaction is in a block now. */
  public List<Landed> landed(int limit) {
    return db.query(
        """
        SELECT s.digest, s.tx_id, t.mined_hash, t.state
        FROM signed_request s JOIN tx t ON t.id = s.tx_id
        WHERE s.state = 'SENT' AND t.state IN ('MINED', 'FINAL', 'REVERTED')
        ORDER BY s.created_at LIMIT ?
        """,
        rs -> new Landed(rs.getBytes(1), rs.getLong(2), rs.getString(3), rs.getString(4)),
        limit);
  }

  /** The transaction {@code txId} was mined: the request it carried has id {@code requestId}. */
  public void mined(long txId, long requestId) {
    db.update(
        "UPDATE signed_request SET state = 'MINED', request_id = ?, updated_at = now() WHERE tx_id = ? AND state = 'SENT'",
        requestId,
        txId);
  }

  /** The transaction {@code txId} reverted. */
  public void reverted(long txId, String why) {
    db.update(
        "UPDATE signed_request SET state = 'FAILED', error = ?, updated_at = now() WHERE tx_id = ? AND state = 'SENT'",
        why,
        txId);
  }
}
