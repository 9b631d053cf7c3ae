package io.credence.relayer;

import io.credence.relayer.chain.ChainListener;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.dispatch.Dispatcher;
import io.credence.relayer.settle.Settler;
import io.credence.relayer.settle.Wallet;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The relayer's one loop: follow the chain, dispatch, settle, track transactions. One thread does
 * all of it, so the steps never race each other for a request or a nonce; each step commits what
 * it did, so the loop can stop anywhere and the next start resumes. Results arriving from Kafka
 * wake it early.
 */
@ApplicationScoped
public class Engine {
  private static final Logger LOG = Logger.getLogger(Engine.class);
  private static final long SLOW_EVERY_NANOS = TimeUnit.SECONDS.toNanos(2);

  @Inject RelayerConfig config;
  @Inject Instance<ChainListener> listener;
  @Inject Instance<Dispatcher> dispatcher;
  @Inject Instance<Settler> settler;
  @Inject Instance<Wallet> wallet;
  @Inject Instance<Contracts> contracts;
  @Inject RelayerMetrics metrics;

  private final Semaphore wake = new Semaphore(0);
  private volatile boolean running;
  private volatile Thread thread;
  private volatile String lastError;
  private volatile long lastRoundNanos;

  void start(@Observes StartupEvent ev) {
    running = true;
    thread = Thread.ofPlatform().name("credence-relayer-engine").daemon().start(this::run);
  }

  void stop(@Observes ShutdownEvent ev) throws InterruptedException {
    running = false;
    Thread t = thread;
    if (t != null) {
      wake.release();
      t.join(10_000);
    }
  }

  /** Runs the next round now instead of after the poll interval. */
  public void wake() {
    wake.release();
  }

  /** The last error of a round, or null when the last round went through. */
  public String lastError() {
    return lastError;
  }

  /** When the last round finished (System.nanoTime), 0 before the first. */
  public long lastRoundNanos() {
    return lastRoundNanos;
  }

  private void run() {
    long backoff = 0;
    boolean started = false;
    long slowAt = 0;
    while (running) {
      try {
        if (!started) {
          wallet.get().syncNonce();
          started = true;
          LOG.infof("relayer running: hub %s, wallet %s", contracts.get().hub(), wallet.get().address());
        }
        boolean more = round();
        if (System.nanoTime() - slowAt > SLOW_EVERY_NANOS) {
          slowAt = System.nanoTime();
          wallet.get().checkBalance();
          metrics.refreshQueues();
        }
        lastError = null;
        lastRoundNanos = System.nanoTime();
        backoff = 0;
        if (!more) {
          wake.tryAcquire(config.chain().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
          wake.drainPermits();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        lastError = e.getMessage();
        backoff = Math.min(10_000, Math.max(250, backoff * 2));
        LOG.warnf("relayer round failed (%s); again in %d ms", e.getMessage(), backoff);
        LOG.debug("round failure", e);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** One round; true when there is more to do right away. */
  private boolean round() throws Exception {
    boolean more = false;
    long t0 = System.nanoTime();
    for (int i = 0; i < 8 && listener.get().step(); i++) {
      more = i == 7;
    }
    long t1 = System.nanoTime();
    int dispatched = dispatcher.get().dispatch();
    long t2 = System.nanoTime();
    long chainTime = contracts.get().chainTime();
    int sent = settler.get().settle(chainTime);
    long t3 = System.nanoTime();
    wallet.get().track();
    long t4 = System.nanoTime();
    settler.get().recheckSubmitted(chainTime);
    long t5 = System.nanoTime();
    metrics.step("listen", t1 - t0);
    metrics.step("dispatch", t2 - t1);
    metrics.step("settle", t3 - t2);
    metrics.step("track", t4 - t3);
    metrics.step("recheck", t5 - t4);
    return more || dispatched > 0 || sent > 0;
  }
}
