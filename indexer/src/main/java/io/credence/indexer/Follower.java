package io.credence.indexer;

import io.credence.protocol.chain.ChainConfig;
import io.credence.protocol.service.Backoff;
import io.credence.protocol.service.FollowLoop;
import io.credence.protocol.service.JdbcCheckpoints;
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
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.web3j.protocol.Web3j;

/**
 * Runs {@link Indexing} from start-up on the shared service loop ({@link FollowLoop}: one thread,
 * backing off when the chain or the database fails), with metrics.
 */
@ApplicationScoped
public class Follower {
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
  private FollowLoop loop;

  void start(@Observes StartupEvent ev) {
    indexing = Indexing.of(dataSource, web3j, config, chain.id());
    events =
        Counter.builder("credence_indexer_events_total")
            .description("Logs applied to the index")
            .register(meters);
    reorgs =
        Counter.builder("credence_indexer_reorgs_total")
            .description("Reorgs undone")
            .register(meters);
    Gauge.builder("credence_indexer_block", indexedBlock, AtomicLong::get)
        .description("Last block indexed")
        .register(meters);
    Gauge.builder("credence_indexer_head_block", headBlock, AtomicLong::get)
        .description("Chain head, less the confirmations, when last asked")
        .register(meters);
    Jdbc.tx(dataSource, JdbcCheckpoints::last).ifPresent(b -> indexedBlock.set(b.number()));
    // what a failed step read into memory may not have been committed: forget it
    loop =
        new FollowLoop("indexing step", this::step, config.chain().pollInterval(), Backoff.DEFAULT)
            .onFailure(indexing::forget);
    loop.start();
  }

  void stop(@Observes ShutdownEvent ev) throws InterruptedException {
    if (loop != null) {
      loop.stop(Duration.ofSeconds(10));
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
    return loop == null ? null : loop.lastError();
  }

  /** When the last step finished (System.nanoTime), 0 before the first. */
  public long lastStepNanos() {
    return loop == null ? 0 : loop.lastRoundNanos();
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
