package io.credence.relayer.settle;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;

/**
 * Turns requests with a quorum into hub transactions: receipts and failures in batches (full, or
 * when the oldest has waited long enough), expiries one by one. Every batch is estimated first; a
 * batch the hub would refuse is split to find the receipts at fault, which are resolved by asking
 * the hub (closed already: the listener will see how; deadline passed: expire it; still open:
 * try again, a bounded number of times).
 */
@ApplicationScoped
public class Settler {
  private static final Logger LOG = Logger.getLogger(Settler.class);

  private final Db db;
  private final Contracts contracts;
  private final Wallet wallet;
  private final RelayerConfig config;
  private final io.credence.relayer.RelayerMetrics metrics;

  @Inject
  public Settler(Db db, Contracts contracts, Wallet wallet, RelayerConfig config, io.credence.relayer.RelayerMetrics metrics) {
    this.metrics = metrics;
    this.db = db;
    this.contracts = contracts;
    this.wallet = wallet;
    this.config = config;
  }

  /** A request ready to settle, with what the hub needs. */
  private record Ready(long id, InferenceHub.Request request, String outcome, byte[] output, Integer reason, byte[] detailHash, int quorum, Timestamp resultAt) {}

  /**
   * Sends what is ready: receipt and failure batches, then expiries.
   *
   * @return transactions sent
   */
  public int settle(long chainTime) throws IOException {
    if (!wallet.canSend()) {
      return 0;
    }
    int sent = 0;
    int max = config.settlement().maxBatch();
    List<Ready> ready =
        db.query(
            """
            SELECT request_id, requester, model_id, input_hash, fee, deadline, callback, callback_gas, outcome, output, reason,
                   detail_hash, quorum, result_at
            FROM request
            WHERE state = 'RESULT' AND NOT orphaned AND (submissions = 0 OR updated_at < now() - interval '2 seconds')
            ORDER BY result_at, request_id LIMIT ?
            """,
            Settler::ready, max * 8);
    Map<String, List<Ready>> byKind = new HashMap<>();
    for (Ready r : ready) {
      if (r.request().deadline.longValueExact() < chainTime) {
        db.update("UPDATE request SET state = 'EXPIRING', updated_at = now() WHERE request_id = ? AND state = 'RESULT'", r.id());
        continue;
      }
      byKind.computeIfAbsent(r.outcome(), k -> new ArrayList<>()).add(r);
    }
    Instant due = Instant.now().minus(config.settlement().maxWait());
    for (Map.Entry<String, List<Ready>> e : byKind.entrySet()) {
      List<Ready> queue = e.getValue();
      while (!queue.isEmpty() && (queue.size() >= max || queue.get(0).resultAt().toInstant().isBefore(due))) {
        List<Ready> batch = new ArrayList<>(queue.subList(0, Math.min(max, queue.size())));
        queue.subList(0, batch.size()).clear();
        sent += submit(e.getKey(), batch);
      }
    }
    return sent + expire(chainTime);
  }

  private int submit(String outcome, List<Ready> batch) throws IOException {
    long t0 = System.nanoTime();
    String data = encode(outcome, batch);
    long t1 = System.nanoTime();
    Wallet.Estimate estimate = wallet.estimate(data);
    metrics.step("settle.encode", t1 - t0);
    metrics.step("settle.estimate", System.nanoTime() - t1);
    if (estimate.revert() != null) {
      if (batch.size() == 1) {
        resolve(batch.get(0), estimate.revert());
        return 0;
      }
      // find the receipts at fault: each alone
      List<Ready> good = new ArrayList<>();
      for (Ready r : batch) {
        Wallet.Estimate alone = wallet.estimate(encode(outcome, List.of(r)));
        if (alone.revert() == null) {
          good.add(r);
        } else {
          resolve(r, alone.revert());
        }
      }
      if (good.isEmpty()) {
        return 0;
      }
      batch = good;
      data = encode(outcome, batch);
      estimate = wallet.estimate(data);
      if (estimate.revert() != null) {
        LOG.warnf("a batch of %d receipts that passed one by one is refused together (%s); trying again next round", batch.size(), estimate.revert());
        return 0;
      }
    }
    BigInteger gas = estimate.gas().multiply(BigInteger.valueOf(5)).divide(BigInteger.valueOf(4)).add(BigInteger.valueOf(20_000));
    long t2 = System.nanoTime();
    wallet.send("OK".equals(outcome) ? "RECEIPTS" : "FAILURES", data, gas, batch.stream().map(Ready::id).toList());
    metrics.step("settle.send", System.nanoTime() - t2);
    return 1;
  }

  /** The hub refuses this receipt: find out why and move the request on. */
  private void resolve(Ready r, String revert) throws IOException {
    if (!contracts.isPending(r.id())) {
      LOG.infof("request %d was closed on-chain meanwhile (%s); the listener records how", r.id(), revert);
      db.update("UPDATE request SET state = 'SUBMITTED', tx_id = NULL, error = ?, updated_at = now() WHERE request_id = ?", revert, r.id());
      return;
    }
    int submissions =
        db.one("UPDATE request SET submissions = submissions + 1, error = ?, updated_at = now() WHERE request_id = ? RETURNING submissions", rs -> rs.getInt(1), revert, r.id()).orElse(0);
    if (submissions >= config.settlement().maxSubmissions()) {
      LOG.errorf("request %d: the hub refused its receipt %d times (%s); given up, it is expired at its deadline", r.id(), submissions, revert);
      db.update("UPDATE request SET state = 'REJECTED', updated_at = now() WHERE request_id = ?", r.id());
    } else {
      LOG.warnf("request %d: the hub refuses its receipt (%s); trying again", r.id(), revert);
    }
  }

  /**
   * Open requests past their deadline: marked for expiry (when enabled), and expiries sent one per
   * transaction, which refunds the requester.
   */
  private int expire(long chainTime) throws IOException {
    if (!config.dispatch().expire()) {
      return 0;
    }
    db.update(
        """
        UPDATE request SET state = 'EXPIRING', updated_at = now()
        WHERE state IN ('SEEN', 'DISPATCHED', 'RESULT', 'REJECTED') AND NOT orphaned AND deadline < ?
        """,
        chainTime);
    List<Ready> due =
        db.query(
            """
            SELECT request_id, requester, model_id, input_hash, fee, deadline, callback, callback_gas, outcome, output, reason,
                   detail_hash, quorum, result_at
            FROM request WHERE state = 'EXPIRING' AND tx_id IS NULL AND NOT orphaned ORDER BY request_id LIMIT 64
            """,
            Settler::ready);
    int sent = 0;
    for (Ready r : due) {
      String data =
          FunctionEncoder.encode(
              new Function(InferenceHub.FUNC_EXPIRE, List.<Type>of(new Uint256(r.id()), r.request()), List.of()));
      Wallet.Estimate e = wallet.estimate(data);
      if (e.revert() != null) {
        if (!contracts.isPending(r.id())) {
          db.update("UPDATE request SET state = 'SUBMITTED', error = ?, updated_at = now() WHERE request_id = ? AND state = 'EXPIRING'", e.revert(), r.id());
        } else {
          LOG.debugf("request %d cannot be expired yet: %s", r.id(), e.revert());
        }
        continue;
      }
      wallet.send("EXPIRE", data, e.gas().multiply(BigInteger.valueOf(5)).divide(BigInteger.valueOf(4)).add(BigInteger.valueOf(20_000)), List.of(r.id()));
      sent++;
    }
    return sent;
  }

  /**
   * Requests marked SUBMITTED whose transaction is gone or done while the chain has not closed
   * them: back to the queue when the hub still holds them, otherwise left to the listener.
   */
  public void recheckSubmitted(long chainTime) throws IOException {
    List<Long> stale =
        db.query(
            """
            SELECT r.request_id FROM request r
            WHERE r.state = 'SUBMITTED' AND r.updated_at < now() - interval '5 seconds'
              AND NOT EXISTS (SELECT 1 FROM tx t WHERE t.id = r.tx_id AND t.state IN ('PENDING', 'MINED'))
            ORDER BY r.request_id LIMIT 64
            """,
            rs -> rs.getLong(1));
    for (long id : stale) {
      if (contracts.isPending(id)) {
        db.update("UPDATE request SET state = 'RESULT', tx_id = NULL, updated_at = now() WHERE request_id = ? AND state = 'SUBMITTED'", id);
      } else {
        db.update("UPDATE request SET updated_at = now() WHERE request_id = ?", id);
      }
    }
  }

  private String encode(String outcome, List<Ready> batch) {
    List<Long> ids = batch.stream().map(Ready::id).toList();
    Map<Long, List<HubReceipts.Signed>> signed = signatures(ids);
    if ("OK".equals(outcome)) {
      List<InferenceHub.Receipt> receipts = new ArrayList<>();
      for (Ready r : batch) {
        receipts.add(HubReceipts.receipt(BigInteger.valueOf(r.id()), r.request(), r.output(), quorumOf(signed.get(r.id()), r.quorum())));
      }
      return FunctionEncoder.encode(
          new Function(InferenceHub.FUNC_SUBMITRECEIPTS, List.<Type>of(new DynamicArray<>(InferenceHub.Receipt.class, receipts)), List.of()));
    }
    List<InferenceHub.Failure> failures = new ArrayList<>();
    for (Ready r : batch) {
      Map<String, byte[]> sigs = new HashMap<>();
      quorumOf(signed.get(r.id()), r.quorum()).forEach(s -> sigs.put(s.signer(), s.signature()));
      failures.add(HubReceipts.failure(BigInteger.valueOf(r.id()), r.request(), r.reason(), r.detailHash(), sigs));
    }
    return FunctionEncoder.encode(
        new Function(InferenceHub.FUNC_SUBMITFAILURES, List.<Type>of(new DynamicArray<>(InferenceHub.Failure.class, failures)), List.of()));
  }

  private static List<HubReceipts.Signed> quorumOf(List<HubReceipts.Signed> all, int quorum) {
    return all.subList(0, Math.min(quorum, all.size()));
  }

  /** The signatures that agree with each request's outcome, oldest first. */
  private Map<Long, List<HubReceipts.Signed>> signatures(List<Long> ids) {
    Map<Long, List<HubReceipts.Signed>> out = new HashMap<>();
    db.query(
            """
            SELECT s.request_id, s.worker, s.executed_at, s.signature FROM result s JOIN request r ON r.request_id = s.request_id
            WHERE s.request_id = ANY (?) AND s.status = r.outcome
              AND (s.output_hash = r.output_hash OR (s.reason = r.reason AND s.detail_hash = r.detail_hash))
            ORDER BY s.received_at
            """,
            rs -> {
              out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                  .add(new HubReceipts.Signed(rs.getString(2), rs.getLong(3), rs.getBytes(4)));
              return null;
            },
            (Object) ids.toArray(Long[]::new));
    return out;
  }

  private static Ready ready(ResultSet rs) throws SQLException {
    InferenceHub.Request request =
        new InferenceHub.Request(
            rs.getString(2), BigInteger.valueOf(rs.getLong(3)), rs.getBytes(4), Db.wei(rs, "fee"), BigInteger.valueOf(rs.getLong(6)),
            rs.getString(7), BigInteger.valueOf(rs.getLong(8)));
    return new Ready(
        rs.getLong(1), request, rs.getString(9), rs.getBytes(10), (Integer) rs.getObject(11), rs.getBytes(12), rs.getInt(13), rs.getTimestamp(14));
  }
}
