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
import io.credence.relayer.store.RequestStore;
import io.credence.relayer.store.ResultStore;
import io.credence.relayer.store.ResultStore.Outcome;
import io.credence.relayer.store.ResultStore.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Takes a worker's result: checks it against the request as committed on-chain, recovers its signer
 * under the hub's EIP-712 domain and asks the WorkerRegistry whether that signer is an active
 * worker — all before any gas is spent. A result that fails is counted, logged, recorded and
 * dropped. A good one is stored (the first per worker counts); once {@code quorum} workers signed
 * the same outcome the request is ready to settle.
 */
@ApplicationScoped
public class ResultIntake {
  private static final Logger LOG = Logger.getLogger(ResultIntake.class);

  private final RequestStore requests;
  private final ResultStore results;
  private final Contracts contracts;
  private final RelayerMetrics metrics;
  private final Engine engine;

  @Inject
  public ResultIntake(
      RequestStore requests,
      ResultStore results,
      Contracts contracts,
      RelayerMetrics metrics,
      Engine engine) {
    this.requests = requests;
    this.results = results;
    this.contracts = contracts;
    this.metrics = metrics;
    this.engine = engine;
  }

  public Verdict accept(ResultMessage r) throws IOException {
    Optional<RequestStore.Committed> found = requests.committed(r.requestId());
    if (found.isEmpty()) {
      return reject(r, "no such request on this relayer's hub");
    }
    RequestStore.Committed req = found.get();
    Checked checked;
    try {
      checked = check(req, r);
    } catch (IllegalArgumentException | SignatureException e) {
      return reject(r, e.getMessage());
    }
    if (!contracts.isActiveWorker(checked.signer())) {
      return reject(r, "signer " + checked.signer() + " is not an active worker");
    }
    Verdict v =
        results.record(
            req.id(),
            req.quorum(),
            checked.signer(),
            checked.outcome(),
            "OK".equals(checked.outcome().status()) ? checked.executedAt() : null,
            checked.signature());
    metrics.result(v.name().toLowerCase(Locale.ROOT));
    if (v == Verdict.QUORUM) {
      engine.wake();
    }
    return v;
  }

  private record Checked(String signer, Outcome outcome, long executedAt, byte[] signature) {}

  private Checked check(RequestStore.Committed req, ResultMessage r) throws SignatureException {
    if (r.worker() == null || !r.worker().matches("0x[0-9a-fA-F]{40}")) {
      throw new IllegalArgumentException("worker is not an address");
    }
    if (r.signature() == null) {
      throw new IllegalArgumentException("no signature");
    }
    byte[] signature = Hashes.fromHex(r.signature());
    BigInteger id = BigInteger.valueOf(req.id());
    byte[] digest;
    Outcome stored;
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
      digest =
          new InferenceReceipt(id, req.modelHash(), req.inputHash(), outputHash, executedAt)
              .digest(contracts.domain());
      stored = new Outcome("OK", output, outputHash, null, null);
    } else if (r.status() == ResultMessage.Status.FAILED) {
      if (r.reason() == null || r.detail() == null) {
        throw new IllegalArgumentException("a FAILED result needs reason and detail");
      }
      FailureReason reason = FailureReason.ofCode(r.reason());
      byte[] detailHash = InferenceFailure.detailHash(r.detail());
      digest =
          new InferenceFailure(id, req.modelHash(), req.inputHash(), reason, detailHash)
              .digest(contracts.domain());
      stored = new Outcome("FAILED", null, null, r.reason(), detailHash);
    } else {
      throw new IllegalArgumentException("unknown status " + r.status());
    }
    String signer = ReceiptSigner.recover(digest, signature);
    if (!signer.equalsIgnoreCase(worker)) {
      throw new IllegalArgumentException(
          "signature is not " + worker + "'s over this request (recovers " + signer + ")");
    }
    return new Checked(worker, stored, executedAt, signature);
  }

  private Verdict reject(ResultMessage r, String why) {
    LOG.warnf(
        "result for request %d from %s rejected, not submitted: %s",
        r.requestId(), r.worker(), why);
    metrics.result("rejected");
    String worker = r.worker() == null ? null : r.worker().toLowerCase(Locale.ROOT);
    results.rejected(r.requestId(), worker, why);
    return Verdict.REJECTED;
  }
}
