package io.credence.protocol.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.protocol.chain.LogFollower.Block;
import io.credence.protocol.store.Jdbc;
import io.credence.testkit.PostgresDatabase;
import io.credence.testkit.junit.WithPostgres;
import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@WithPostgres
class JdbcCheckpointsIT {
  private DataSource ds;
  private JdbcCheckpoints checkpoints;

  @BeforeEach
  void freshTable(PostgresDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      c.createStatement().execute("DROP TABLE IF EXISTS checkpoint");
      c.createStatement()
          .execute(
              "CREATE TABLE checkpoint (block_number BIGINT PRIMARY KEY, block_hash TEXT NOT NULL)");
    }
    ds = db.dataSource(db.schema());
    checkpoints = new JdbcCheckpoints(ds);
  }

  @Test
  void theNewestSavedBlockIsWhereFollowingResumesAndOlderOnesFindTheAncestor() {
    Jdbc.tx(
        ds,
        c -> {
          JdbcCheckpoints.save(c, new Block(10, "0xa"));
          JdbcCheckpoints.save(c, new Block(20, "0xb"));
          return null;
        });
    assertThat(checkpoints.last()).contains(new Block(20, "0xb"));
    assertThat(checkpoints.before(20)).contains(new Block(10, "0xa"));
    assertThat(checkpoints.before(10)).isEmpty();
  }

  @Test
  void aRewindForgetsTheBlocksAboveTheAncestorAndABlockSeenAgainTakesItsNewHash() {
    Jdbc.tx(
        ds,
        c -> {
          for (long b = 1; b <= 5; b++) {
            JdbcCheckpoints.save(c, new Block(b, "0xold" + b));
          }
          JdbcCheckpoints.rewind(c, 3);
          JdbcCheckpoints.save(c, new Block(3, "0xnew3"));
          return null;
        });
    assertThat(checkpoints.last()).contains(new Block(3, "0xnew3"));
  }

  @Test
  void checkpointsMoreThanTheKeptDepthBelowTheNewestArePruned() {
    Jdbc.tx(
        ds,
        c -> {
          JdbcCheckpoints.save(c, new Block(1, "0x1"));
          JdbcCheckpoints.save(c, new Block(2, "0x2"));
          JdbcCheckpoints.save(c, new Block(2 + JdbcCheckpoints.KEPT, "0xfar"));
          return null;
        });
    assertThat(checkpoints.before(2 + JdbcCheckpoints.KEPT)).contains(new Block(2, "0x2"));
    assertThat(checkpoints.before(2)).isEmpty();
  }

  @Test
  void aCheckpointRolledBackWithItsTransactionIsNotThere() {
    try {
      Jdbc.tx(
          ds,
          c -> {
            JdbcCheckpoints.save(c, new Block(7, "0x7"));
            throw new IllegalStateException("crash before the commit");
          });
    } catch (IllegalStateException expected) {
      // the service's work and its checkpoint went together
    }
    assertThat(checkpoints.last()).isEmpty();
  }
}
