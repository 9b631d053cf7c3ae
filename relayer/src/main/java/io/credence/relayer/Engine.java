package io.credence.relayer;

import io.credence.protocol.service.Backoff;
import io.credence.protocol.service.FollowLoop;
import io.credence.relayer.chain.ChainListener;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.court.CourtEngine;
import io.credence.relayer.dispatch.Dispatcher;
import io.credence.relayer.settle.Settler;
import io.credence.relayer.settle.TransactionTracker;
import io.credence.relayer.settle.Wallet;
import io.credence.relayer.signed.SignedRequests;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The relayer's one loop ({@link FollowLoop}): follow the chain, dispatch, settle, track
 * transactions. One thread does all of it, so the steps never race each other for a request or a
 * nonce; each step commits what it did, so the loop can stop anywhere and the next start resumes.
 * Results arriving from Kafka wake it early. A failed round is retried with back-off and makes
 * readiness DOWN until a round goes through.
 *
 * <p>The parts are looked up when the first round runs, not at start-up, so that a part that cannot
 * be built yet (the chain or Kafka not up) fails a round, with its reason in readiness, instead of
 * the application's start.
 */
@ApplicationScoped
public class Engine {
  private static final Logger LOG = Logger.getLogger(Engine.class);

  @Inject RelayerConfig config;
  @Inject Instance<ChainListener> listener;
  @Inject Instance<Dispatcher> dispatcher;
  @Inject Instance<Settler> settler;
  @Inject Instance<Wallet> wallet;
  @Inject Instance<TransactionTracker> tracker;
  @Inject Instance<SignedRequests> signed;
  @Inject Instance<Contracts> contracts;
  @Inject Instance<CourtEngine> court;
  @Inject RelayerMetrics metrics;

  private volatile FollowLoop loop;
  private boolean started;
  private long housekeptAt;

  void start(@Observes StartupEvent ev) {
    loop =
        new FollowLoop(
            "relayer round", this::round, config.chain().pollInterval(), Backoff.DEFAULT);
    loop.start();
  }

  void stop(@Observes ShutdownEvent ev) throws InterruptedException {
    if (loop != null) {
      loop.stop(Duration.ofSeconds(10));
    }
  }

  /** Runs the next round now instead of after the poll interval. */
  public void wake() {
    FollowLoop l = loop;
    if (l != null) {
      l.wake();
    }
  }

  /** The last error of a round, or null when the last round went through. */
  public String lastError() {
    FollowLoop l = loop;
    return l == null ? null : l.lastError();
  }

  /**
   * Whether a round went through within {@code credence.relayer.engine.ready-within} and none
   * failed since.
   */
  public boolean isReady() {
    FollowLoop l = loop;
    return l != null && l.isFresh(config.engine().readyWithin());
  }

  /** One round; true when there is more to do right away. */
  private boolean round() throws Exception {
    if (!started) {
      wallet.get().syncNonce();
      started = true;
      LOG.infof(
          "relayer running: hub %s, wallet %s, %s",
          contracts.get().hub(),
          wallet.get().address(),
          contracts
              .get()
              .court()
              .map(c -> "court " + c + " (audits drawn, verdicts relayed)")
              .orElse("no DisputeCourt configured: no audits drawn, no verdicts relayed"));
    }
    boolean more = false;
    long t0 = System.nanoTime();
    int steps = config.engine().listenSteps();
    for (int i = 0; i < steps && listener.get().step(); i++) {
      more = i == steps - 1;
    }
    long t1 = System.nanoTime();
    int dispatched = dispatcher.get().dispatch();
    long t2 = System.nanoTime();
    long chainTime = contracts.get().chainTime();
    int sent = settler.get().settle(chainTime) + signed.get().submit();
    long t3 = System.nanoTime();
    tracker.get().track();
    long t4 = System.nanoTime();
    settler.get().recheckSubmitted(chainTime);
    int courtWork = 0;
    try {
      courtWork = court.get().step(chainTime);
    } catch (IOException | RuntimeException e) {
      // the court's work must never hold up settlement: it is tried again next round
      LOG.warnf("court step failed (%s); settlement goes on", e.getMessage());
      metrics.court("step_failed", 1);
    }
    long t5 = System.nanoTime();
    metrics.step("listen", t1 - t0);
    metrics.step("dispatch", t2 - t1);
    metrics.step("settle", t3 - t2);
    metrics.step("track", t4 - t3);
    metrics.step("recheck+court", t5 - t4);
    if (housekeptAt == 0 || t5 - housekeptAt > config.engine().housekeepingInterval().toNanos()) {
      housekeptAt = t5;
      wallet.get().checkBalance();
      wallet.get().claimCredits(config.settlement().claimAbove());
      metrics.refreshQueues();
    }
    return more || dispatched > 0 || sent > 0 || courtWork > 0;
  }
}
