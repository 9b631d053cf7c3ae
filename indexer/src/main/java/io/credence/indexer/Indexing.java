package io.credence.indexer;

import io.credence.indexer.ingest.Ingest;
import io.credence.indexer.store.IngestStore;
import io.credence.protocol.chain.LogFollower;
import io.credence.protocol.service.JdbcCheckpoints;
import io.credence.protocol.store.Jdbc;
import java.io.IOException;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.web3j.protocol.Web3j;

/**
 * Follows the chain into the index: each step's logs and its checkpoint commit in one transaction,
 * so a crash anywhere resumes exactly after the last committed step, with no gap and no duplicate.
 * A reorg deletes every row above the common ancestor, and following goes on from there, so the
 * index after a reorg is the index a fresh start would build.
 */
public final class Indexing {
  private static final Logger LOG = Logger.getLogger(Indexing.class);

  /** What a step did. */
  public sealed interface Result {
    /** Applied {@code logs} logs up to {@code block}. */
    record Applied(long block, int logs) implements Result {}

    /** Undid everything above {@code ancestor}. */
    record Rewound(long ancestor) implements Result {}

    /** Nothing new below {@code head} (the chain's head less the confirmations). */
    record Caught(long head) implements Result {}
  }

  private final DataSource dataSource;
  private final Ingest ingest;
  private final LogFollower follower;
  private final JdbcCheckpoints checkpoints;

  public Indexing(DataSource dataSource, Ingest ingest, LogFollower follower) {
    this.dataSource = dataSource;
    this.ingest = ingest;
    this.follower = follower;
    this.checkpoints = new JdbcCheckpoints(dataSource);
  }

  /** Indexing of the contracts in {@code config} into {@code dataSource}'s schema. */
  public static Indexing of(
      DataSource dataSource, Web3j web3j, IndexerConfig config, long chainId) {
    Ingest ingest =
        new Ingest(
            config.hub(),
            config.modelRegistry(),
            config.workerRegistry(),
            config.disputeCourt().orElse(null),
            chainId);
    IndexerConfig.Chain c = config.chain();
    return new Indexing(
        dataSource,
        ingest,
        new LogFollower(
                web3j,
                ingest.addresses(),
                c.confirmations(),
                c.startBlock(),
                c.initialRange(),
                c.maxRange())
            .targetLogs(c.targetLogs())
            .prefetching());
  }

  /** Takes one step. */
  public Result step() throws IOException {
    return switch (follower.next(checkpoints)) {
      case LogFollower.Advance a -> {
        Jdbc.tx(
            dataSource,
            c -> {
              ingest.apply(c, a.logs());
              JdbcCheckpoints.save(c, a.to());
              return null;
            });
        yield new Result.Applied(a.to().number(), a.logs().size());
      }
      case LogFollower.Rewind r -> {
        LOG.warnf(
            "reorg: block %d (%s) is no longer canonical; undoing everything after block %d",
            r.replaced().number(), r.replaced().hash(), r.ancestor().number());
        long ancestor = r.ancestor().number();
        Jdbc.tx(
            dataSource,
            c -> {
              IngestStore.rewind(c, ancestor);
              return null;
            });
        ingest.forget();
        yield new Result.Rewound(ancestor);
      }
      case LogFollower.Idle i -> new Result.Caught(i.head());
    };
  }

  /**
   * Creates {@code schema} with the indexer's migrations, outside Quarkus (a fresh index for tests
   * and benchmarks).
   */
  public static void createSchema(DataSource dataSource, String schema) {
    org.flywaydb.core.Flyway.configure()
        .dataSource(dataSource)
        .schemas(schema)
        .defaultSchema(schema)
        .createSchemas(true)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  /** Forgets what it read into memory (after a failed step). */
  public void forget() {
    ingest.forget();
  }
}
