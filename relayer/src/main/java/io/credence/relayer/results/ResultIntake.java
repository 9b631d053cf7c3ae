package io.credence.relayer.results;

import io.credence.protocol.Hashes;
import io.credence.protocol.messages.ResultMessage;
import io.credence.protocol.receipt.FailureReason;
import io.credence.protocol.receipt.InferenceFailure;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.relayer.Engine;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.store.Db;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SignatureException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Takes a worker's result: checks it against the request as committed on-chain, recovers its
 * signer under the hub's EIP-712 domain and asks the WorkerRegistry whether that signer is an
 * active worker — all before any gas is spent. A result that fails is counted, logged, recorded
 * and dropped. A good one is stored (the first per worker counts); once {@code quorum} workers
 * signed the same outcome the request is ready to settle.
 */
@ApplicationScoped
public class ResultIntake {
  private static final Logger LOG = Logger.getLogger(ResultIntake.class);

  /** What became of a result. */
  public enum Verdict {
    ACCEPTED,
    QUORUM,
    DUPLICATE,
    LATE,
    REJECTED
  }

  private record Request(long id, byte[] modelHash, byte[] inputHash, int quorum, String state, boolean orphaned) {}

  private record Stored(String worker, String status, byte[] output, byte[] outputHash, Integer reason, byte[] detailHash) {
    String outcome() {
      return "OK".equals(status) ? "OK:" + Hashes.hex(outputHash) : "FAILED:" + reason + ":" + Hashes.hex(detailHash);
    }
  }

  private final Db db;
  private final Contracts contracts;
  private final RelayerMetrics metrics;
  private final Engine engine;

  @Inject
  public ResultIntake(Db db, Contracts contracts, RelayerMetrics metrics, Engine engine) {
    this.db = db;
    this.contracts = contracts;
    this.metrics = metrics;
    this.engine = engine;
  }

  public Verdict accept(ResultMessage r) throws IOException {
    Optional<Request> found =
        db.one(
            "SELECT request_id, model_hash, input_hash, quorum, state, orphaned FROM request WHERE request_id = ?",
            rs -> new Request(rs.getLong(1), rs.getBytes(2), rs.getBytes(3), rs.getInt(4), rs.getString(5), rs.getBoolean(6)),
            r.requestId());
    if (found.isEmpty()) {
      return reject(r, "no such request on this relayer's hub");
    }
    Request req = found.get();
    Checked checked;
    try {
      checked = check(req, r);
    } catch (IllegalArgumentException | SignatureException e) {
      return reject(r, e.getMessage());
    }
    if (!contracts.isActiveWorker(checked.signer())) {
      return reject(r, "signer " + checked.signer() + " is not an active worker");
    }
    Verdict v = db.tx(c -> store(c, req, checked));
    metrics.result(v.name().toLowerCase(Locale.ROOT));
    if (v == Verdict.QUORUM) {
      engine.wake();
    }
    return v;
  }

  private record Checked(String signer, Stored stored, long executedAt, byte[] signature) {}

  private Checked check(Request req, ResultMessage r) throws SignatureException {
    if (r.worker() == null || !r.worker().matches("0x[0-9a-fA-F]{40}")) {
      throw new IllegalArgumentException("worker is not an address");
    }
    if (r.signature() == null) {
      throw new IllegalArgumentException("no signature");
    }
    byte[] signature = Hashes.fromHex(r.signature());
    BigInteger id = BigInteger.valueOf(req.id());
    byte[] digest;
    Stored stored;
    long executedAt = 0;
    String worker = r.worker().toLowerCase(Locale.ROOT);
    if (r.status() == ResultMessage.Status.OK) {
      if (r.output() == null || r.outputHash() == null || r.executedAt() == null) {
        throw new IllegalArgumentException("an OK result needs output, outputHash and executedAt");
      }
      byte[] output = Base64.getDecoder().decode(r.output());
      byte[] outputHash = Hashes.keccak256(output);
      if (!Arrays.equals(outputHash, Hashes.bytes32(r.outputHash()))) {
        throw new IllegalArgumentException("outputHash is not keccak256 of the output");
      }
      executedAt = r.executedAt();
      digest = new InferenceReceipt(id, req.modelHash(), req.inputHash(), outputHash, executedAt).digest(contracts.domain());
      stored = new Stored(worker, "OK", output, outputHash, null, null);
    } else if (r.status() == ResultMessage.Status.FAILED) {
      if (r.reason() == null || r.detail() == null) {
        throw new IllegalArgumentException("a FAILED result needs reason and detail");
      }
      FailureReason reason = FailureReason.ofCode(r.reason());
      byte[] detailHash = InferenceFailure.detailHash(r.detail());
      digest = new InferenceFailure(id, req.modelHash(), req.inputHash(), reason, detailHash).digest(contracts.domain());
      stored = new Stored(worker, "FAILED", null, null, r.reason(), detailHash);
    } else {
      throw new IllegalArgumentException("unknown status " + r.status());
    }
    String signer = ReceiptSigner.recover(digest, signature);
    if (!signer.equalsIgnoreCase(worker)) {
      throw new IllegalArgumentException("signature is not " + worker + "'s over this request (recovers " + signer + ")");
    }
    return new Checked(worker, stored, executedAt, signature);
  }

  private Verdict store(Connection c, Request req, Checked ch) throws SQLException {
    Stored s = ch.stored();
    int inserted =
        Db.update(
            c,
            """
            INSERT INTO result (request_id, worker, status, output, output_hash, executed_at, reason, detail_hash, signature)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """,
            req.id(), s.worker(), s.status(), s.output(), s.outputHash(), "OK".equals(s.status()) ? ch.executedAt() : null,
            s.reason(), s.detailHash(), ch.signature());
    if (inserted == 0) {
      return Verdict.DUPLICATE;
    }
    Optional<String> state =
        Db.one(c, "SELECT state FROM request WHERE request_id = ? FOR UPDATE", rs -> rs.getString(1), req.id());
    if (state.isEmpty() || !("SEEN".equals(state.get()) || "DISPATCHED".equals(state.get()))) {
      return Verdict.LATE;
    }
    List<Stored> all =
        Db.query(
            c, "SELECT worker, status, output, output_hash, reason, detail_hash FROM result WHERE request_id = ? ORDER BY received_at",
            rs ->
                new Stored(
                    rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4), (Integer) rs.getObject(5), rs.getBytes(6)),
            req.id());
    Map<String, List<Stored>> byOutcome = new HashMap<>();
    for (Stored x : all) {
      byOutcome.computeIfAbsent(x.outcome(), k -> new ArrayList<>()).add(x);
    }
    List<Stored> agreeing = byOutcome.get(s.outcome());
    if (agreeing.size() < req.quorum()) {
      if (byOutcome.size() > 1) {
        LOG.warnf("request %d: workers disagree (%d different outcomes); waiting for a quorum", req.id(), byOutcome.size());
      }
      return Verdict.ACCEPTED;
    }
    Db.update(
        c,
        """
        UPDATE request SET state = 'RESULT', outcome = ?, output = ?, output_hash = ?, reason = ?, detail_hash = ?,
               result_at = now(), updated_at = now()
        WHERE request_id = ?
        """,
        s.status(), s.output(), s.outputHash(), s.reason(), s.detailHash(), req.id());
    return Verdict.QUORUM;
  }

  private Verdict reject(ResultMessage r, String why) {
    LOG.warnf("result for request %d from %s rejected, not submitted: %s", r.requestId(), r.worker(), why);
    metrics.result("rejected");
    String worker = r.worker() == null ? null : r.worker().toLowerCase(Locale.ROOT);
    db.update("INSERT INTO rejected_result (request_id, worker, why) VALUES (?, ?, ?)", r.requestId(), worker, why);
    return Verdict.REJECTED;
  }
}
