package io.credence.worker.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.protocol.messages.JobMessage;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.ResultMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;
import org.jboss.logging.Logger;

/**
 * Jobs in ({@code credence.jobs.v1}, group {@code credence-workers}), signed results out ({@code
 * credence.results.v1}, keyed by requestId). A job is acknowledged only once its result is written
 * to Kafka (at least once); a job that throws goes to {@code credence.jobs.v1.dlq} with the reason
 * (SmallRye's dead-letter-queue failure strategy).
 */
@ApplicationScoped
public class JobConsumer {
  private static final Logger LOG = Logger.getLogger(JobConsumer.class);

  private final JobHandler handler;
  private final MeterRegistry meters;
  private final ObjectMapper json = ProtocolJson.mapper();

  public JobConsumer(JobHandler handler, MeterRegistry meters) {
    this.handler = handler;
    this.meters = meters;
  }

  @Incoming("jobs")
  @Outgoing("results")
  @Blocking(value = "inference", ordered = false)
  public Record<String, String> process(String payload) throws JsonProcessingException {
    JobMessage job;
    try {
      job = json.readValue(payload, JobMessage.class);
    } catch (JsonProcessingException e) {
      meters.counter("credence_worker_poison_jobs_total").increment();
      throw new PoisonJob("not a job message: " + e.getOriginalMessage());
    }
    Timer.Sample sample = Timer.start(meters);
    ResultMessage result;
    try {
      result = handler.handle(job);
    } catch (PoisonJob e) {
      meters.counter("credence_worker_poison_jobs_total").increment();
      LOG.warnf("job %d refused: %s", job.requestId(), e.getMessage());
      throw e;
    }
    sample.stop(
        Timer.builder("credence_worker_job_seconds")
            .tag("status", result.status().name())
            .publishPercentileHistogram()
            .register(meters));
    meters.counter("credence_worker_jobs_total", "status", result.status().name()).increment();
    if (result.status() == ResultMessage.Status.FAILED) {
      meters
          .counter("credence_worker_failures_total", "reason", String.valueOf(result.reason()))
          .increment();
      LOG.infof("job %d failed (reason %d): %s", job.requestId(), result.reason(), result.detail());
    }
    return Record.of(Long.toString(result.requestId()), json.writeValueAsString(result));
  }
}
