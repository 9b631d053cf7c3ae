package io.credence.relayer.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.ResultMessage;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Worker results in ({@code credence.results.v1}, group {@code credence-relayer}). A message that
 * is not a result goes to {@code credence.results.v1.dlq} with the reason; a result is acknowledged
 * once it is verified and stored (or rejected and recorded).
 */
@ApplicationScoped
public class ResultConsumer {
  private static final Logger LOG = Logger.getLogger(ResultConsumer.class);
  private static final int RETRIES = 60;
  private final ObjectMapper json = ProtocolJson.mapper();
  private final ResultIntake intake;

  @Inject
  public ResultConsumer(ResultIntake intake) {
    this.intake = intake;
  }

  @Incoming("results")
  @Blocking
  public void consume(String payload) throws IOException {
    ResultMessage result;
    try {
      result = json.readValue(payload, ResultMessage.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a result message: " + e.getOriginalMessage());
    }
    // the chain or the database out for a moment must not send a good result to the dead-letter
    // topic
    for (int attempt = 1; ; attempt++) {
      try {
        intake.accept(result);
        return;
      } catch (IOException | RuntimeException e) {
        if (attempt == RETRIES || e instanceof IllegalArgumentException) {
          throw e;
        }
        LOG.warnf(
            "result for request %d not taken yet (%s); trying again",
            result.requestId(), e.getMessage());
        try {
          Thread.sleep(Math.min(5_000, 200L * attempt));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
