package io.credence.relayer.court;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.protocol.Hashes;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.VerdictMessage;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.Verdict;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.store.CourtStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Jurors' verdicts in ({@code credence.verdicts.v1}, group {@code credence-relayer}). A verdict is
 * stored for submission only when it would be recorded: signed by a juror of the dispute over the
 * dispute's own request and output (one verdict the court refuses would revert a whole batch).
 * Anything else goes to {@code credence.verdicts.v1.dlq} with the reason. A verdict that arrives
 * before the listener read its dispute's jury waits for it.
 */
@ApplicationScoped
public class VerdictConsumer {
  private static final Logger LOG = Logger.getLogger(VerdictConsumer.class);
  private static final int WAITS = 60;
  private final ObjectMapper json = ProtocolJson.mapper();
  private final CourtStore store;
  private final Contracts contracts;
  private final RelayerMetrics metrics;

  @Inject
  public VerdictConsumer(CourtStore store, Contracts contracts, RelayerMetrics metrics) {
    this.store = store;
    this.contracts = contracts;
    this.metrics = metrics;
  }

  @Incoming("verdicts")
  @Blocking
  public void consume(String payload) throws InterruptedException {
    VerdictMessage m;
    try {
      m = json.readValue(payload, VerdictMessage.class);
    } catch (JsonProcessingException e) {
      throw refused("not a verdict message: " + e.getOriginalMessage());
    }
    CourtStore.Dispute d = awaitJury(m.disputeId());
    String juror = m.juror() == null ? "" : m.juror().toLowerCase(Locale.ROOT);
    if (!d.jurors().contains(juror)) {
      throw refused(juror + " is not a juror of dispute " + m.disputeId());
    }
    if (m.requestId() != d.requestId()
        || !Arrays.equals(Hashes.fromHex(m.outputHash()), d.outputHash())) {
      throw refused("verdict on dispute " + m.disputeId() + " names another request or output");
    }
    Verdict v;
    byte[] signature;
    try {
      v =
          new Verdict(
              BigInteger.valueOf(m.disputeId()),
              BigInteger.valueOf(m.requestId()),
              d.outputHash(),
              Hashes.bytes32(m.jurorOutputHash()),
              m.agrees());
      signature = Hashes.fromHex(m.signature());
      String signer = ReceiptSigner.recover(v.digest(contracts.domain()), signature);
      if (!signer.equalsIgnoreCase(juror)) {
        throw refused("verdict on dispute " + m.disputeId() + " is not signed by " + juror);
      }
    } catch (SignatureException | IllegalArgumentException e) {
      throw refused("verdict on dispute " + m.disputeId() + ": " + e.getMessage());
    }
    if (store.addVerdict(
        new CourtStore.Verdict(m.disputeId(), juror, v.jurorOutputHash(), v.agrees(), signature))) {
      metrics.court("verdict_received", 1);
      LOG.infof("dispute %d: %s %s", m.disputeId(), juror, v.agrees() ? "agrees" : "disagrees");
    }
  }

  /** The dispute once its jury is known here (the listener may be a few blocks behind). */
  private CourtStore.Dispute awaitJury(long disputeId) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      Optional<CourtStore.Dispute> d = store.dispute(disputeId);
      if (d.isPresent() && !d.get().jurors().isEmpty()) {
        return d.get();
      }
      if (attempt == WAITS) {
        throw refused("dispute " + disputeId + " has no jury known to this relayer");
      }
      Thread.sleep(Math.min(2_000, 100L * attempt));
    }
  }

  private IllegalArgumentException refused(String why) {
    metrics.court("verdict_refused", 1);
    return new IllegalArgumentException(why);
  }
}
