package io.credence.relayer.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The wallet's next nonce (table {@code wallet}), kept in the database so that a restart never
 * reuses or skips one. A nonce is taken in the same transaction that stores the transaction signed
 * with it ({@link TxStore#record}), and the row is locked meanwhile, so two sends never get the
 * same nonce.
 */
@ApplicationScoped
public class NonceLedger {
  private final Db db;

  @Inject
  public NonceLedger(Db db) {
    this.db = db;
  }

  /**
   * Makes the next nonce at least {@code chainPending}, the chain's count of {@code wallet}'s
   * transactions with pending ones (a key also used elsewhere, a fresh database).
   */
  public void sync(String wallet, long chainPending) {
    db.update(
        "INSERT INTO wallet (address, next_nonce) VALUES (?, ?) ON CONFLICT (address) DO UPDATE SET next_nonce = GREATEST(wallet.next_nonce, ?)",
        wallet,
        chainPending,
        chainPending);
  }

  /** The next nonce to hand out, if the wallet was synced. */
  public Optional<Long> next(String wallet) {
    return db.one("SELECT next_nonce FROM wallet WHERE address = ?", rs -> rs.getLong(1), wallet);
  }

  /**
   * After a transaction was dropped: the next nonce becomes the one after the highest a live
   * transaction holds, but never below {@code chainPending}. A dropped transaction's nonce is
   * thereby handed back when it was the last one taken; one below a live transaction stays a gap
   * for the tracker to fill.
   */
  public void afterDrop(String wallet, long chainPending) {
    db.update(
        """
        UPDATE wallet SET next_nonce = GREATEST(?, (SELECT COALESCE(MAX(nonce) + 1, 0) FROM tx WHERE wallet = ? AND state = ANY (?)))
        WHERE address = ?
        """,
        chainPending,
        wallet,
        TxStore.LIVE,
        wallet);
  }

  /** Takes the next nonce, in the caller's transaction (the row stays locked until it ends). */
  static long take(Connection c, String wallet) throws SQLException {
    long nonce =
        Db.one(
                c,
                "SELECT next_nonce FROM wallet WHERE address = ? FOR UPDATE",
                rs -> rs.getLong(1),
                wallet)
            .orElseThrow(() ->
                new IllegalStateException(
                    "the nonce of wallet "
                        + wallet
                        + " was never read from the chain (sync first)"));
    Db.update(c, "UPDATE wallet SET next_nonce = ? WHERE address = ?", nonce + 1, wallet);
    return nonce;
  }
}
