package io.credence.relayer.settle;

import io.credence.contracts.InferenceHub;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * The relayer's signing wallet: one key, nonces handed out from the database (so a restart never
 * reuses or skips one), every signed transaction stored before it is sent. It tracks what it sent
 * until the chain confirms it: resends what the node forgot, replaces what is stuck with a higher
 * fee under the same nonce, fills nonce gaps, and hands back the requests of a transaction whose
 * nonce was taken by another.
 */
@ApplicationScoped
public class Wallet {
  private static final Logger LOG = Logger.getLogger(Wallet.class);
  private static final String SKIPPED = EventEncoder.encode(InferenceHub.RECEIPTSKIPPED_EVENT);
  private static final String SETTLED = EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT);
  private static final String FAILED = EventEncoder.encode(InferenceHub.INFERENCEFAILED_EVENT);
  private static final BigInteger GAP_GAS = BigInteger.valueOf(21_000);

  /** Why a node refused a transaction. */
  enum Refusal {
    NONE,
    NONCE_TOO_LOW,
    UNDERPRICED,
    INSUFFICIENT_FUNDS,
    OTHER
  }

  /** Gas estimate, or the node's reason for refusing the call. */
  record Estimate(BigInteger gas, String revert) {}

  private final Db db;
  private final Contracts contracts;
  private final Web3j web3j;
  private final RelayerConfig.Settlement config;
  private final int confirmations;
  private final RelayerMetrics metrics;
  private final String address;
  private volatile BigInteger balance = BigInteger.ZERO;
  private volatile long dryUntil;

  @Inject
  public Wallet(Db db, Contracts contracts, RelayerConfig config, RelayerMetrics metrics) {
    this.db = db;
    this.contracts = contracts;
    this.web3j = contracts.web3j();
    this.config = config.settlement();
    this.confirmations = config.chain().confirmations();
    this.metrics = metrics;
    this.address = contracts.wallet().toLowerCase(Locale.ROOT);
    metrics.walletBalance(() -> balance);
  }

  public String address() {
    return address;
  }

  public BigInteger balance() {
    return balance;
  }

  /** False for a while after the node said the wallet cannot pay. */
  public boolean canSend() {
    return System.nanoTime() > dryUntil;
  }

  /** Reads the balance, warns when it is low; called every few seconds. */
  public void checkBalance() throws IOException {
    balance = web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST).send().getBalance();
    if (balance.compareTo(config.lowBalance()) < 0) {
      LOG.warnf(
          "relayer wallet %s is low: %s wei (warning below %s); fund it or settlements stop when it runs dry", address, balance,
          config.lowBalance());
    }
  }

  /** Makes the stored next nonce at least the chain's (a key also used elsewhere, a fresh database). */
  public void syncNonce() throws IOException {
    BigInteger pending = web3j.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING).send().getTransactionCount();
    db.tx(
        c -> {
          Db.update(
              c,
              "INSERT INTO wallet (address, next_nonce) VALUES (?, ?) ON CONFLICT (address) DO UPDATE SET next_nonce = GREATEST(wallet.next_nonce, ?)",
              address, pending.longValueExact(), pending.longValueExact());
          return null;
        });
  }

  /** Estimates a call to the hub; a revert comes back as its reason instead of an exception. */
  Estimate estimate(String data) throws IOException {
    EthEstimateGas e =
        web3j.ethEstimateGas(Transaction.createEthCallTransaction(address, contracts.hub(), data)).send();
    if (e.hasError()) {
      String why = e.getError().getMessage() + (e.getError().getData() == null ? "" : " " + e.getError().getData());
      return new Estimate(null, why);
    }
    return new Estimate(e.getAmountUsed(), null);
  }

  /**
   * Signs and sends a call to the hub for {@code requestIds}, which become SUBMITTED (EXPIRING for
   * an expiry) under this transaction in the same database transaction that takes the nonce.
   */
  void send(String kind, String data, BigInteger gasLimit, List<Long> requestIds) throws IOException {
    BigInteger[] fees = fees();
    long txId =
        db.tx(
            c -> {
              long nonce =
                  Db.one(c, "SELECT next_nonce FROM wallet WHERE address = ? FOR UPDATE", rs -> rs.getLong(1), address)
                      .orElseThrow(() -> new IllegalStateException("wallet nonce not initialised"));
              Signed s = sign(nonce, contracts.hub(), data, gasLimit, fees[0], fees[1]);
              long id =
                  Db.one(
                          c,
                          """
                          INSERT INTO tx (kind, wallet, nonce, to_address, data, gas_limit, max_fee, priority_fee, hash, raw, hashes,
                                          state, receipts)
                          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?) RETURNING id
                          """,
                          rs -> rs.getLong(1), kind, address, nonce, contracts.hub(), Numeric.hexStringToByteArray(data),
                          gasLimit.longValueExact(), fees[0], fees[1], s.hash(), s.raw(), new String[] {s.hash()}, requestIds.size())
                      .orElseThrow();
              Db.update(c, "UPDATE wallet SET next_nonce = ? WHERE address = ?", nonce + 1, address);
              for (long r : requestIds) {
                Db.update(c, "INSERT INTO tx_request (tx_id, request_id) VALUES (?, ?)", id, r);
                Db.update(
                    c,
                    """
                    UPDATE request SET state = CASE WHEN ? = 'EXPIRE' THEN 'EXPIRING' ELSE 'SUBMITTED' END,
                           tx_id = ?, submissions = submissions + 1, updated_at = now()
                    WHERE request_id = ?
                    """,
                    kind, id, r);
              }
              return id;
            });
    metrics.txSent(kind);
    Refusal refusal = broadcast(txId);
    if (refusal != Refusal.NONE) {
      drop(txId, refusal.name());
    }
  }

  /** Follows every transaction not yet final. */
  public void track() throws IOException {
    List<Long> open =
        db.query("SELECT id FROM tx WHERE wallet = ? AND state IN ('PENDING', 'MINED') ORDER BY nonce", rs -> rs.getLong(1), address);
    if (open.isEmpty()) {
      return;
    }
    long latestNonce =
        web3j.ethGetTransactionCount(address, DefaultBlockParameterName.LATEST).send().getTransactionCount().longValueExact();
    long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
    for (long id : open) {
      track(id, latestNonce, head);
    }
    repairGaps(latestNonce);
  }

  private record Tx(
      long id,
      String kind,
      long nonce,
      String to,
      byte[] data,
      long gasLimit,
      BigInteger maxFee,
      BigInteger priorityFee,
      String hash,
      byte[] raw,
      List<String> hashes,
      String state,
      Long minedBlock,
      int receipts,
      java.sql.Timestamp sentAt) {}

  private Optional<Tx> load(long id) {
    return db.one(
        """
        SELECT id, kind, nonce, to_address, data, gas_limit, max_fee, priority_fee, hash, raw, hashes, state, mined_block, receipts,
               sent_at
        FROM tx WHERE id = ?
        """,
        rs ->
            new Tx(
                rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getBytes(5), rs.getLong(6), Db.wei(rs, "max_fee"),
                Db.wei(rs, "priority_fee"), rs.getString(9), rs.getBytes(10), List.of((String[]) rs.getArray(11).getArray()),
                rs.getString(12), (Long) rs.getObject(13), rs.getInt(14), rs.getTimestamp(15)),
        id);
  }

  private void track(long id, long latestNonce, long head) throws IOException {
    Tx tx = load(id).orElseThrow();
    if ("MINED".equals(tx.state())) {
      if (head - tx.minedBlock() >= confirmations) {
        db.update("UPDATE tx SET state = 'FINAL' WHERE id = ? AND state = 'MINED'", id);
      }
      return;
    }
    for (String h : tx.hashes()) {
      Optional<TransactionReceipt> receipt = web3j.ethGetTransactionReceipt(h).send().getTransactionReceipt();
      if (receipt.isPresent()) {
        mined(tx, receipt.get());
        return;
      }
    }
    if (tx.nonce() < latestNonce) {
      LOG.warnf("transaction %s (nonce %d) was not mined but its nonce was used by another; its requests go back to the queue", tx.hash(), tx.nonce());
      drop(id, "nonce taken by another transaction");
      return;
    }
    if (!tx.kind().equals("GAP") && stale(id)) {
      LOG.infof("transaction %s (nonce %d) settles requests a reorg took away or changed; dropped, the rest go back to the queue", tx.hash(), tx.nonce());
      drop(id, "its requests changed in a reorg");
      return;
    }
    boolean stuck = tx.sentAt().toInstant().plus(config.stuckAfter()).isBefore(java.time.Instant.now());
    if (stuck) {
      replace(tx);
    } else if (web3j.ethGetTransactionByHash(tx.hash()).send().getTransaction().isEmpty()) {
      LOG.infof("node does not know transaction %s (nonce %d): sending it again", tx.hash(), tx.nonce());
      Refusal r = broadcast(id);
      if (r == Refusal.NONCE_TOO_LOW) {
        drop(id, "nonce too low on resend");
      }
    }
  }

  /**
   * True when a not-yet-mined transaction no longer matches its requests: one was orphaned by a reorg,
   * replaced by a different request under the same id, or released. Sending it would waste gas on
   * receipts the hub skips or rejects.
   */
  private boolean stale(long txId) {
    return db.one(
            """
            SELECT count(*) FROM tx_request x LEFT JOIN request r ON r.request_id = x.request_id
            WHERE x.tx_id = ? AND (r.request_id IS NULL OR r.orphaned OR r.tx_id IS DISTINCT FROM x.tx_id)
            """,
            rs -> rs.getLong(1), txId)
        .orElse(0L)
        > 0;
  }

  private void mined(Tx tx, TransactionReceipt receipt) {
    boolean ok = receipt.isStatusOK();
    long block = receipt.getBlockNumber().longValueExact();
    long gasUsed = receipt.getGasUsed().longValueExact();
    int closed = 0;
    List<Long> deadlinePassed = new java.util.ArrayList<>();
    for (Log log : receipt.getLogs()) {
      if (log.getTopics().isEmpty() || !log.getAddress().equalsIgnoreCase(contracts.hub())) {
        continue;
      }
      String topic = log.getTopics().get(0);
      if (SETTLED.equals(topic) || FAILED.equals(topic)) {
        closed++;
      } else if (SKIPPED.equals(topic)) {
        var e = InferenceHub.getReceiptSkippedEventFromLog(log);
        if (e.reason.intValue() == 2) {
          deadlinePassed.add(e.requestId.longValueExact());
        }
      }
    }
    int settled = closed;
    db.tx(
        c -> {
          Db.update(
              c, "UPDATE tx SET state = ?, mined_hash = ?, mined_block = ?, gas_used = ? WHERE id = ?", ok ? "MINED" : "REVERTED",
              receipt.getTransactionHash(), block, gasUsed, tx.id());
          for (long r : deadlinePassed) {
            Db.update(c, "UPDATE request SET state = 'EXPIRING', tx_id = NULL, updated_at = now() WHERE request_id = ? AND state = 'SUBMITTED'", r);
          }
          if (!ok) {
            release(c, tx.id(), "transaction " + receipt.getTransactionHash() + " reverted");
          }
          return null;
        });
    metrics.txMined(tx.kind(), ok, gasUsed, settled);
    if (!ok) {
      LOG.warnf("transaction %s (%s, %d receipts) reverted; its requests are checked again", receipt.getTransactionHash(), tx.kind(), tx.receipts());
    }
  }

  private void replace(Tx tx) throws IOException {
    BigInteger bump = BigInteger.valueOf(100 + config.feeBumpPercent());
    BigInteger maxFee = tx.maxFee().multiply(bump).divide(BigInteger.valueOf(100)).add(BigInteger.ONE);
    BigInteger tip = tx.priorityFee().multiply(bump).divide(BigInteger.valueOf(100)).add(BigInteger.ONE);
    if (maxFee.compareTo(config.maxFeePerGas()) > 0) {
      if (tx.maxFee().compareTo(config.maxFeePerGas()) >= 0) {
        LOG.warnf("transaction %s (nonce %d) is stuck at the fee cap %s wei; raise credence.relayer.settlement.max-fee-per-gas", tx.hash(), tx.nonce(), config.maxFeePerGas());
        db.update("UPDATE tx SET sent_at = now() WHERE id = ?", tx.id());
        return;
      }
      maxFee = config.maxFeePerGas();
      tip = tip.min(maxFee);
    }
    Signed s = sign(tx.nonce(), tx.to(), Numeric.toHexString(tx.data()), BigInteger.valueOf(tx.gasLimit()), maxFee, tip);
    Refusal r = send(s.raw());
    if (r == Refusal.NONE) {
      db.update(
          """
          UPDATE tx SET hash = ?, raw = ?, hashes = array_append(hashes, ?), max_fee = ?, priority_fee = ?,
                 replacements = replacements + 1, sent_at = now()
          WHERE id = ?
          """,
          s.hash(), s.raw(), s.hash(), maxFee, tip, tx.id());
      metrics.replaced();
      LOG.infof("transaction with nonce %d replaced by %s at max fee %s wei", tx.nonce(), s.hash(), maxFee);
    } else if (r == Refusal.UNDERPRICED) {
      // the node wants more: keep the higher fee as the base of the next bump
      db.update("UPDATE tx SET max_fee = ?, priority_fee = ?, sent_at = now() WHERE id = ?", maxFee, tip, tx.id());
    } else if (r == Refusal.NONCE_TOO_LOW) {
      // mined meanwhile (found by its receipt next round) or taken by another
      db.update("UPDATE tx SET sent_at = now() WHERE id = ?", tx.id());
    } else {
      db.update("UPDATE tx SET sent_at = now() WHERE id = ?", tx.id());
    }
  }

  /** Nonces between the chain's and ours that no live transaction holds block everything after: fill them. */
  private void repairGaps(long latestNonce) throws IOException {
    long next = db.one("SELECT next_nonce FROM wallet WHERE address = ?", rs -> rs.getLong(1), address).orElse(latestNonce);
    List<Long> held =
        db.query(
            "SELECT nonce FROM tx WHERE wallet = ? AND state IN ('PENDING', 'MINED', 'FINAL') AND nonce >= ? AND nonce < ?",
            rs -> rs.getLong(1), address, latestNonce, next);
    for (long n = latestNonce; n < next; n++) {
      if (!held.contains(n)) {
        LOG.warnf("nonce %d has no transaction (dropped); filling the gap with an empty transfer", n);
        BigInteger[] fees = fees();
        Signed s = sign(n, address, "0x", GAP_GAS, fees[0], fees[1]);
        long nonce = n;
        db.update(
            """
            INSERT INTO tx (kind, wallet, nonce, to_address, data, gas_limit, max_fee, priority_fee, hash, raw, hashes, state, receipts)
            VALUES ('GAP', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', 0)
            """,
            address, nonce, address, new byte[0], GAP_GAS.longValueExact(), fees[0], fees[1], s.hash(), s.raw(), new String[] {s.hash()});
        send(s.raw());
      }
    }
  }

  private void drop(long txId, String why) throws IOException {
    db.tx(
        c -> {
          Db.update(c, "UPDATE tx SET state = 'DROPPED', error = ? WHERE id = ?", why, txId);
          release(c, txId, why);
          return null;
        });
    BigInteger pending = web3j.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING).send().getTransactionCount();
    // hand the nonce back when it was the last one taken; otherwise the gap is filled
    db.update(
        """
        UPDATE wallet SET next_nonce = GREATEST(?, (SELECT COALESCE(MAX(nonce) + 1, 0) FROM tx WHERE wallet = ? AND state IN ('PENDING', 'MINED', 'FINAL')))
        WHERE address = ?
        """,
        pending.longValueExact(), address, address);
  }

  /** The requests of a transaction that will not settle them go back to be checked and queued again. */
  private static void release(Connection c, long txId, String why) throws SQLException {
    Db.update(
        c,
        """
        UPDATE request SET state = CASE WHEN state = 'EXPIRING' THEN 'EXPIRING' ELSE 'RESULT' END, tx_id = NULL, error = ?,
               updated_at = now()
        WHERE tx_id = ? AND state IN ('SUBMITTED', 'EXPIRING')
        """,
        why, txId);
  }

  private Refusal broadcast(long txId) throws IOException {
    Tx tx = load(txId).orElseThrow();
    Refusal r = send(tx.raw());
    if (r == Refusal.INSUFFICIENT_FUNDS) {
      dryUntil = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
      metrics.walletDry();
      LOG.errorf(
          "relayer wallet %s cannot pay for transaction %s (balance %s wei): fund it; settlements wait until then (docs/relayer.md)",
          address, tx.hash(), balance);
    }
    return r;
  }

  private Refusal send(byte[] raw) throws IOException {
    EthSendTransaction r = web3j.ethSendRawTransaction(Numeric.toHexString(raw)).send();
    if (!r.hasError()) {
      return Refusal.NONE;
    }
    Response.Error e = r.getError();
    String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
    if (m.contains("already known") || m.contains("known transaction") || m.contains("already imported")) {
      return Refusal.NONE;
    }
    Refusal refusal =
        m.contains("nonce too low") || m.contains("nonce is too low")
            ? Refusal.NONCE_TOO_LOW
            : m.contains("underpriced")
                ? Refusal.UNDERPRICED
                : m.contains("insufficient funds") ? Refusal.INSUFFICIENT_FUNDS : Refusal.OTHER;
    if (refusal != Refusal.INSUFFICIENT_FUNDS) {
      LOG.warnf("node refused a transaction: %s", e.getMessage());
    }
    return refusal;
  }

  private record Signed(String hash, byte[] raw) {}

  private Signed sign(long nonce, String to, String data, BigInteger gasLimit, BigInteger maxFee, BigInteger tip) {
    RawTransaction raw =
        RawTransaction.createTransaction(
            contracts.chainId(), BigInteger.valueOf(nonce), gasLimit, to, BigInteger.ZERO, data, tip, maxFee);
    byte[] signed = TransactionEncoder.signMessage(raw, contracts.credentials());
    return new Signed(Numeric.toHexString(Hash.sha3(signed)), signed);
  }

  /** maxFeePerGas and maxPriorityFeePerGas: twice the base fee plus the tip, within the cap. */
  private BigInteger[] fees() throws IOException {
    String base = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getBaseFeePerGasRaw();
    BigInteger baseFee = base == null ? BigInteger.ZERO : Numeric.decodeQuantity(base);
    BigInteger tip = config.priorityFeePerGas();
    BigInteger max = baseFee.multiply(BigInteger.TWO).add(tip).min(config.maxFeePerGas());
    return new BigInteger[] {max, tip.min(max)};
  }
}
