package io.credence.relayer.store;

import io.credence.relayer.model.TxKind;
import io.credence.relayer.model.TxState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Tables {@code tx} (every transaction the wallet signed, its signed bytes stored before it is
 * sent) and {@code tx_request} (the requests each one carries). States are {@link TxState}.
 */
@ApplicationScoped
public class TxStore {
  static final String[] OPEN = TxState.names(TxState.OPEN);
  static final String[] LIVE = TxState.names(TxState.LIVE);

  private final Db db;

  @Inject
  public TxStore(Db db) {
    this.db = db;
  }

  /** A signed transaction: its hash and the bytes to send. */
  public record Signed(String hash, byte[] raw) {}

  /** Records what else a stored transaction carries, in the database transaction that stores it. */
  @FunctionalInterface
  public interface Carries {
    void record(java.sql.Connection c, long txId) throws java.sql.SQLException;

    Carries NOTHING = (c, txId) -> {};
  }

  /** Signs a transaction once its nonce is known (inside the transaction that takes the nonce). */
  @FunctionalInterface
  public interface Signer {
    Signed sign(long nonce);
  }

  /** A stored transaction. */
  public record Tx(
      long id,
      TxKind kind,
      long nonce,
      String to,
      byte[] data,
      long gasLimit,
      BigInteger maxFee,
      BigInteger priorityFee,
      String hash,
      byte[] raw,
      List<String> hashes,
      TxState state,
      String minedHash,
      Long minedBlock,
      int receipts,
      Instant sentAt) {}

  /**
   * Takes the wallet's next nonce, signs with it, stores the transaction and puts {@code
   * requestIds} in it (SUBMITTED, EXPIRING for an expiry), all in one database transaction: the
   * signed bytes are stored before anything is sent, so a crash sends the same bytes again, never a
   * second transaction.
   *
   * @return the stored transaction's id
   */
  public long record(
      TxKind kind,
      String wallet,
      String to,
      byte[] data,
      BigInteger gasLimit,
      BigInteger maxFee,
      BigInteger priorityFee,
      List<Long> requestIds,
      Signer signer,
      Carries carries) {
    return db.tx(c -> {
      long nonce = NonceLedger.take(c, wallet);
      Signed s = signer.sign(nonce);
      long id =
          insert(
              c,
              kind,
              wallet,
              nonce,
              to,
              data,
              gasLimit,
              maxFee,
              priorityFee,
              s,
              requestIds.size());
      for (long r : requestIds) {
        Db.update(c, "INSERT INTO tx_request (tx_id, request_id) VALUES (?, ?)", id, r);
      }
      RequestStore.carriedBy(c, id, kind, requestIds);
      carries.record(c, id);
      return id;
    });
  }

  /** Stores an empty transfer that fills nonce {@code nonce}, already signed. */
  public void recordGap(
      String wallet,
      long nonce,
      BigInteger gasLimit,
      BigInteger maxFee,
      BigInteger priorityFee,
      Signed s) {
    db.tx(c ->
        insert(
            c,
            TxKind.GAP,
            wallet,
            nonce,
            wallet,
            new byte[0],
            gasLimit,
            maxFee,
            priorityFee,
            s,
            0));
  }

  private static long insert(
      Connection c,
      TxKind kind,
      String wallet,
      long nonce,
      String to,
      byte[] data,
      BigInteger gasLimit,
      BigInteger maxFee,
      BigInteger priorityFee,
      Signed s,
      int receipts)
      throws SQLException {
    return Db.one(
            c,
            """
            INSERT INTO tx (kind, wallet, nonce, to_address, data, gas_limit, max_fee, priority_fee, hash, raw, hashes, state, receipts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            rs -> rs.getLong(1),
            kind.name(),
            wallet,
            nonce,
            to,
            data,
            gasLimit.longValueExact(),
            maxFee,
            priorityFee,
            s.hash(),
            s.raw(),
            new String[] {s.hash()},
            TxState.PENDING.name(),
            receipts)
        .orElseThrow();
  }

  public Optional<Tx> load(long id) {
    return db.one(
        """
        SELECT id, kind, nonce, to_address, data, gas_limit, max_fee, priority_fee, hash, raw, hashes, state, mined_hash, mined_block,
               receipts, sent_at
        FROM tx WHERE id = ?
        """,
        rs ->
            new Tx(
                rs.getLong(1),
                TxKind.valueOf(rs.getString(2)),
                rs.getLong(3),
                rs.getString(4),
                rs.getBytes(5),
                rs.getLong(6),
                Db.wei(rs, "max_fee"),
                Db.wei(rs, "priority_fee"),
                rs.getString(9),
                rs.getBytes(10),
                List.of((String[]) rs.getArray(11).getArray()),
                TxState.valueOf(rs.getString(12)),
                rs.getString(13),
                (Long) rs.getObject(14),
                rs.getInt(15),
                rs.getTimestamp(16).toInstant()),
        id);
  }

  /** The wallet's transactions not yet final, by nonce. */
  public List<Long> open(String wallet) {
    return db.query(
        "SELECT id FROM tx WHERE wallet = ? AND state = ANY (?) ORDER BY nonce",
        rs -> rs.getLong(1),
        wallet,
        OPEN);
  }

  /** Whether the wallet has a transaction of {@code kind} not yet final. */
  public boolean hasOpen(String wallet, TxKind kind) {
    return db.one(
                "SELECT count(*) FROM tx WHERE wallet = ? AND kind = ? AND state = ANY (?)",
                rs -> rs.getLong(1),
                wallet,
                kind.name(),
                OPEN)
            .orElse(0L)
        > 0;
  }

  /** Nonces in [{@code from}, {@code to}) that a live transaction holds. */
  public List<Long> heldNonces(String wallet, long from, long to) {
    return db.query(
        "SELECT nonce FROM tx WHERE wallet = ? AND state = ANY (?) AND nonce >= ? AND nonce < ?",
        rs -> rs.getLong(1),
        wallet,
        LIVE,
        from,
        to);
  }

  /** Mined with {@code confirmations} on top: no longer followed. */
  public void confirmed(long id) {
    db.update(
        "UPDATE tx SET state = ? WHERE id = ? AND state = ?",
        TxState.FINAL.name(),
        id,
        TxState.MINED.name());
  }

  /**
   * A mined transaction's block is gone (a reorg the listener has not read yet): it is followed as
   * unmined again.
   */
  public void unmined(long id) {
    db.update(
        "UPDATE tx SET state = ?, mined_block = NULL, mined_hash = NULL, sent_at = now() WHERE id = ? AND state = ?",
        TxState.PENDING.name(),
        id,
        TxState.MINED.name());
  }

  /** A reorg put a mined transaction in another block. */
  public void movedTo(long id, long block) {
    db.update(
        "UPDATE tx SET mined_block = ? WHERE id = ? AND state = ?",
        block,
        id,
        TxState.MINED.name());
  }

  /**
   * Mined: MINED, or REVERTED with its requests released; receipts the hub skipped for a passed
   * deadline are to be expired. One transaction.
   */
  public void mined(
      long id,
      boolean ok,
      String hash,
      long block,
      long gasUsed,
      BigInteger spent,
      BigInteger credited,
      List<Long> deadlinePassed) {
    db.tx(c -> {
      Db.update(
          c,
          "UPDATE tx SET state = ?, mined_hash = ?, mined_block = ?, gas_used = ?, spent = ?, credited = ? WHERE id = ?",
          (ok ? TxState.MINED : TxState.REVERTED).name(),
          hash,
          block,
          gasUsed,
          spent,
          credited,
          id);
      RequestStore.deadlinePassed(c, deadlinePassed);
      if (!ok) {
        RequestStore.release(c, id, "transaction " + hash + " reverted");
      }
      return null;
    });
  }

  /** Will never be mined: DROPPED with {@code why}, its requests back to the queue. */
  public void drop(long id, String why) {
    db.tx(c -> {
      Db.update(
          c, "UPDATE tx SET state = ?, error = ? WHERE id = ?", TxState.DROPPED.name(), why, id);
      RequestStore.release(c, id, why);
      return null;
    });
  }

  /**
   * True when a not-yet-mined transaction no longer matches its requests: one was orphaned by a
   * reorg, replaced by a different request under the same id, or released. Sending it would waste
   * gas on receipts the hub skips or rejects.
   */
  public boolean stale(long id) {
    return db.one(
                """
                SELECT count(*) FROM tx_request x LEFT JOIN request r ON r.request_id = x.request_id
                WHERE x.tx_id = ? AND (r.request_id IS NULL OR r.orphaned OR r.tx_id IS DISTINCT FROM x.tx_id)
                """,
                rs -> rs.getLong(1),
                id)
            .orElse(0L)
        > 0;
  }

  /** Replaced by a transaction with the same nonce and higher fees, now the one to follow. */
  public void replaced(long id, Signed s, BigInteger maxFee, BigInteger priorityFee) {
    db.update(
        """
        UPDATE tx SET hash = ?, raw = ?, hashes = array_append(hashes, ?), max_fee = ?, priority_fee = ?,
               replacements = replacements + 1, sent_at = now()
        WHERE id = ?
        """,
        s.hash(),
        s.raw(),
        s.hash(),
        maxFee,
        priorityFee,
        id);
  }

  /** The node wants more than these fees: they are the base of the next bump. */
  public void feesRefused(long id, BigInteger maxFee, BigInteger priorityFee) {
    db.update(
        "UPDATE tx SET max_fee = ?, priority_fee = ?, sent_at = now() WHERE id = ?",
        maxFee,
        priorityFee,
        id);
  }

  /** Looked at now: not stuck again until {@code stuck-after} from now. */
  public void resetStuckClock(long id) {
    db.update("UPDATE tx SET sent_at = now() WHERE id = ?", id);
  }

  /** Transactions sent and not yet mined (a metric). */
  public long countPending() {
    return db.one(
            "SELECT count(*) FROM tx WHERE state = ?", rs -> rs.getLong(1), TxState.PENDING.name())
        .orElse(0L);
  }

  /**
   * A reorg dropped the blocks above {@code ancestor}: what was mined in them is pending again
   * (sent again, or dropped when its requests went), and a reverted one's nonce is free again.
   */
  static void unmineAbove(Connection c, long ancestor) throws SQLException {
    Db.update(
        c,
        "UPDATE tx SET state = ?, mined_block = NULL, mined_hash = NULL, sent_at = now() WHERE state IN (?, ?) AND mined_block > ?",
        TxState.PENDING.name(),
        TxState.MINED.name(),
        TxState.FINAL.name(),
        ancestor);
    // a reverted one released its requests already; its nonce is free again (the tracker fills the
    // gap)
    Db.update(
        c,
        "UPDATE tx SET state = ?, error = 'reverted in a block a reorg dropped' WHERE state = ? AND mined_block > ?",
        TxState.DROPPED.name(),
        TxState.REVERTED.name(),
        ancestor);
  }
}
