package io.credence.relayer.health;

import io.credence.relayer.Engine;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.dispatch.Dispatcher;
import io.credence.relayer.settle.Wallet;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the relayer's loop goes round (chain, database and Kafka all answered in its last
 * round, within {@code credence.relayer.engine.ready-within}). The wallet's balance is reported,
 * with a warning when it is low; a low balance does not make the relayer unready, since requests
 * still get dispatched and queued.
 */
@Readiness
@ApplicationScoped
public class RelayerReadiness implements HealthCheck {
  @Inject Engine engine;
  @Inject Wallet wallet;
  @Inject Dispatcher dispatcher;
  @Inject RelayerConfig config;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b = HealthCheckResponse.named("relayer");
    b.withData("wallet", wallet.address())
        .withData("walletBalanceWei", wallet.balance().toString())
        .withData("dispatchPaused", dispatcher.paused());
    if (wallet.balance().compareTo(config.settlement().lowBalance()) < 0) {
      b.withData(
          "warning",
          "wallet balance below "
              + config.settlement().lowBalance()
              + " wei: fund it (docs/relayer.md)");
    }
    String error = engine.lastError();
    if (error != null) {
      b.withData("lastError", error);
    }
    return b.status(engine.isReady()).build();
  }
}
