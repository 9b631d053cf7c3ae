package io.credence.worker.jury;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.protocol.messages.JuryMessage;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.VerdictMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Jury jobs in ({@code credence.juries.v1}, a consumer group per worker key: see {@link
 * JurorGroup}), signed verdicts out ({@code credence.verdicts.v1}, keyed by disputeId). Messages
 * naming other jurors are acknowledged and ignored. A message is acknowledged only once its verdict
 * is written to Kafka (at least once; the relayer keeps one verdict per dispute and juror). Jury
 * jobs are judged one at a time, in order: they are few, and a verdict is due within a window of
 * hours. A message that cannot be read, or names this worker but cannot be judged, goes to {@code
 * credence.juries.v1.dlq} with the reason.
 */
@ApplicationScoped
public class JuryConsumer {
  private static final Logger LOG = Logger.getLogger(JuryConsumer.class);

  private final Juror juror;
  private final MeterRegistry meters;
  private final Emitter<Record<String, String>> verdicts;
  private final ObjectMapper json = ProtocolJson.mapper();

  public JuryConsumer(
      Juror juror,
      MeterRegistry meters,
      @Channel("verdicts") Emitter<Record<String, String>> verdicts) {
    this.juror = juror;
    this.meters = meters;
    this.verdicts = verdicts;
  }

  @Incoming("juries")
  @Blocking
  public void process(String payload) throws JsonProcessingException {
    JuryMessage jury;
    try {
      jury = json.readValue(payload, JuryMessage.class);
    } catch (JsonProcessingException e) {
      meters.counter("credence_worker_poison_juries_total").increment();
      throw new BadJury("not a jury message: " + e.getOriginalMessage());
    }
    if (!juror.isJuror(jury)) {
      LOG.debugf("dispute %d names other jurors; ignored", jury.disputeId());
      return;
    }
    Optional<VerdictMessage> verdict;
    try {
      verdict = juror.judge(jury);
    } catch (BadJury e) {
      meters.counter("credence_worker_poison_juries_total").increment();
      LOG.warnf("jury message refused: %s", e.getMessage());
      throw e;
    }
    if (verdict.isEmpty()) {
      meters.counter("credence_worker_verdicts_total", "outcome", "none").increment();
      return;
    }
    VerdictMessage v = verdict.get();
    verdicts
        .send(Record.of(Long.toString(v.disputeId()), json.writeValueAsString(v)))
        .toCompletableFuture()
        .join();
    meters
        .counter("credence_worker_verdicts_total", "outcome", v.agrees() ? "agrees" : "disagrees")
        .increment();
  }
}
