package io.credence.indexer;

import io.credence.protocol.chain.ChainConfig;
import io.credence.protocol.store.Jdbc;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.web3j.protocol.Web3j;

/**
 * Runs {@link Indexing} on one thread from start-up, with metrics, backing off when the chain or
 * the database fails.
 */
@ApplicationScoped
public class Follower {
  private static final Logger LOG = Logger.getLogger(Follower.class);
  /** Checkpoints kept below the newest, to find the common ancestor of a deep reorg. */
  private static final int KEPT_CHECKPOINTS = 1024;

  @Inject DataSource dataSource;
  @Inject Web3j web3j;
  @Inject ChainConfig chain;
  @Inject IndexerConfig config;
  @Inject MeterRegistry meters;

  private Indexing indexing;
  private Counter events;
  private Counter reorgs;
  private final AtomicLong indexedBlock = new AtomicLong(-1);
  private final AtomicLong headBlock = new AtomicLong(-1);
  private volatile boolean running;
  private volatile Thread thread;
  private volatile String lastError;
  private volatile long lastStepNanos;

  void start(@Observes StartupEvent ev) {
    indexing = Indexing.of(dataSource, web3j, config, chain.id());
    events = Counter.builder("credence_indexer_events_total").description("Logs applied to the index").register(meters);
    reorgs = Counter.builder("credence_indexer_reorgs_total").description("Reorgs undone").register(meters);
    Gauge.builder("credence_indexer_block", indexedBlock, AtomicLong::get).description("Last block indexed").register(meters);
    Gauge.builder("credence_indexer_head_block", headBlock, AtomicLong::get)
        .description("Chain head, less the confirmations, when last asked")
        .register(meters);
    Jdbc.tx(dataSource, Indexing::lastCheckpoint).ifPresent(b -> indexedBlock.set(b.number()));
    running = true;
    thread = Thread.ofPlatform().name("credence-indexer-follower").daemon().start(this::run);
  }

  void stop(@Observes ShutdownEvent ev) throws InterruptedException {
    running = false;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      t.join(10_000);
    }
  }

  /** Last block indexed, or -1 before the first. */
  public long indexedBlock() {
    return indexedBlock.get();
  }

  /** The chain head less the confirmations when last asked, or -1. */
  public long headBlock() {
    return headBlock.get();
  }

  /** The last step's error, or null when it went through. */
  public String lastError() {
    return lastError;
  }

  /** When the last step finished (System.nanoTime), 0 before the first. */
  public long lastStepNanos() {
    return lastStepNanos;
  }

  private void run() {
    long backoff = 0;
    while (running) {
      try {
        boolean more = step();
        lastError = null;
        lastStepNanos = System.nanoTime();
        backoff = 0;
        if (!more) {
          Thread.sleep(config.chain().pollInterval().toMillis());
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // what the failed step read into memory may not have been committed
        indexing.forget();
        lastError = e.getMessage();
        backoff = Math.min(10_000, Math.max(250, backoff * 2));
        LOG.warnf("indexing step failed (%s); again in %d ms", e.getMessage(), backoff);
        LOG.debug("step failure", e);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** One step; true when there may be more to read right away. */
  boolean step() throws IOException {
    return switch (indexing.step()) {
      case Indexing.Result.Applied a -> {
        events.increment(a.logs());
        indexedBlock.set(a.block());
        headBlock.accumulateAndGet(a.block(), Math::max);
        yield true;
      }
      case Indexing.Result.Rewound r -> {
        reorgs.increment();
        indexedBlock.set(r.ancestor());
        yield true;
      }
      case Indexing.Result.Caught c -> {
        headBlock.set(c.head());
        yield false;
      }
    };
  }

}
