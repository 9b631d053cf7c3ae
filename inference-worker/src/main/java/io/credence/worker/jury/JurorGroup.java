package io.credence.worker.jury;

import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.worker.config.WorkerConfig;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The juries channel's consumer group, one per worker key: a jury is a set of particular keys,
 * wherever they run, so every worker must read every jury job (a group shared by workers would give
 * each message to one of them), and a restarted worker resumes from its own committed offsets. The
 * channel takes it through {@code
 * mp.messaging.incoming.juries.kafka-configuration=credence-juror-kafka}.
 */
public class JurorGroup {
  /** The identifier of the Kafka configuration the juries channel reads its group from. */
  public static final String KAFKA_CONFIGURATION = "credence-juror-kafka";

  /** {@code credence.worker.jury.group-id}, else {@code credence-jurors-<signer lower-case>}. */
  public static String groupId(Optional<String> configured, String signerAddress) {
    return configured
        .filter(g -> !g.isBlank())
        .orElse("credence-jurors-" + signerAddress.toLowerCase(Locale.ROOT));
  }

  @Produces
  @Singleton
  @Identifier(KAFKA_CONFIGURATION)
  Map<String, Object> kafkaConfiguration(WorkerConfig config, ReceiptSigner signer) {
    return Map.of("group.id", groupId(config.jury().groupId(), signer.address()));
  }
}
