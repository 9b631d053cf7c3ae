package io.credence.worker.health;

import io.credence.contracts.WorkerRegistry;
import io.credence.protocol.chain.ChainConfig;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.worker.config.WorkerConfig;
import io.credence.worker.lying.Liar;
import io.credence.worker.model.ModelStore;
import io.credence.worker.model.SessionCache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigInteger;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;
import org.web3j.protocol.Web3j;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * The worker's own readiness: its model cache is usable, and its signing key is an active worker in
 * the WorkerRegistry (else nothing it signs would settle). At start-up it says exactly what to do
 * when the key is not registered. A worker with the lying switch on says so loudly at start-up and
 * in its readiness data ({@code lieRate}).
 */
@ApplicationScoped
public class WorkerReadiness {
  private static final Logger LOG = Logger.getLogger(WorkerReadiness.class);

  private final WorkerRegistry registry;
  private final ReceiptSigner signer;
  private final ModelStore store;
  private final String registryAddress;
  private final Liar liar;

  public WorkerReadiness(
      Web3j web3j,
      WorkerConfig config,
      ChainConfig chain,
      ReceiptSigner signer,
      ModelStore store,
      SessionCache sessions,
      Liar liar,
      MeterRegistry meters) {
    this.liar = liar;
    this.registryAddress = config.workerRegistry();
    this.registry =
        WorkerRegistry.load(
            registryAddress,
            web3j,
            new ReadonlyTransactionManager(web3j, signer.address()),
            new DefaultGasProvider());
    this.signer = signer;
    this.store = store;
    Gauge.builder("credence_worker_cuda", sessions, s -> "CUDA".equals(s.provider()) ? 1 : 0)
        .description("1 when the last model session runs on CUDA, 0 on CPU")
        .register(meters);
  }

  void onStart(@Observes StartupEvent event) {
    if (liar.enabled()) {
      LOG.warnf(
          "THIS WORKER LIES: credence.worker.lie.rate=%s, within-tolerance=%s: key %s signs wrong"
              + " outputs on purpose for that share of requests, as a worker and as a juror; its"
              + " stake will be slashed. Test/demo only: never run this in production",
          liar.rate(), liar.withinTolerance(), signer.address());
    }
    String status = registration();
    if (status == null) {
      LOG.infof(
          "worker key %s is an active worker in WorkerRegistry %s",
          signer.address(), registryAddress);
    } else {
      LOG.warn(status);
    }
  }

  /** Null when active; otherwise what is wrong and what to do. */
  String registration() {
    try {
      if (registry.isActive(signer.address()).send()) {
        return null;
      }
      BigInteger min = registry.minStake().send();
      return "worker key "
          + signer.address()
          + " is not an active worker in WorkerRegistry "
          + registryAddress
          + ": its operator must register it (WorkerRegistry.register(signer, keySignature), with the key's "
          + "WorkerKey(operator) signature) and stake at least "
          + min
          + " wei; until then receipts it signs will not settle";
    } catch (Exception e) {
      return "cannot ask WorkerRegistry "
          + registryAddress
          + " whether "
          + signer.address()
          + " is active: "
          + e.getMessage();
    }
  }

  @Readiness
  HealthCheck registrationCheck() {
    return () -> {
      String problem = registration();
      var r = HealthCheckResponse.named("worker-registration").withData("signer", signer.address());
      if (liar.enabled()) {
        r = r.withData("lieRate", String.valueOf(liar.rate()));
      }
      return problem == null ? r.up().build() : r.down().withData("error", problem).build();
    };
  }

  @Readiness
  HealthCheck modelStoreCheck() {
    return () ->
        HealthCheckResponse.named("model-store")
            .withData("cacheDir", store.cacheDir().toString())
            .status(store.writable())
            .build();
  }
}
