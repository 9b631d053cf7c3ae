package io.credence.protocol.service;

import io.credence.protocol.chain.LogFollower;
import io.credence.protocol.store.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A service's {@link LogFollower} cursor in its own schema, table {@code checkpoint (block_number
 * BIGINT PRIMARY KEY, block_hash TEXT NOT NULL)}: the blocks it processed, by number and hash. The
 * newest is where following resumes; older ones find the common ancestor after a reorg, so the
 * newest {@link #KEPT} are kept and older ones pruned.
 *
 * <p>{@link #save} and {@link #rewind} take the caller's connection: a checkpoint must commit in
 * the same transaction as what the service derived from the logs up to it, or a crash between the
 * two would skip or repeat those logs.
 */
public final class JdbcCheckpoints implements LogFollower.Checkpoints {
  /** Checkpoints kept below the newest: a reorg deeper than this many blocks is not found. */
  public static final int KEPT = 1024;

  private static final Jdbc.Row<LogFollower.Block> BLOCK =
      rs -> new LogFollower.Block(rs.getLong(1), rs.getString(2));

  private final DataSource dataSource;

  public JdbcCheckpoints(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Optional<LogFollower.Block> last() {
    return Jdbc.tx(dataSource, JdbcCheckpoints::last);
  }

  @Override
  public Optional<LogFollower.Block> before(long number) {
    return Jdbc.tx(
        dataSource,
        c ->
            Jdbc.one(
                c,
                "SELECT block_number, block_hash FROM checkpoint WHERE block_number < ? ORDER BY block_number DESC LIMIT 1",
                BLOCK,
                number));
  }

  /** The newest checkpoint, read in the caller's transaction. */
  public static Optional<LogFollower.Block> last(Connection c) throws SQLException {
    return Jdbc.one(
        c,
        "SELECT block_number, block_hash FROM checkpoint ORDER BY block_number DESC LIMIT 1",
        BLOCK);
  }

  /**
   * Records {@code block} as processed, in the caller's transaction, and prunes checkpoints more
   * than {@link #KEPT} blocks below it. A block number seen again (after a rewind) takes the new
   * hash.
   */
  public static void save(Connection c, LogFollower.Block block) throws SQLException {
    Jdbc.update(
        c,
        "INSERT INTO checkpoint (block_number, block_hash) VALUES (?, ?) ON CONFLICT (block_number) DO UPDATE SET block_hash = ?",
        block.number(),
        block.hash(),
        block.hash());
    Jdbc.update(c, "DELETE FROM checkpoint WHERE block_number < ?", block.number() - KEPT);
  }

  /**
   * Forgets every checkpoint above {@code ancestor} (a reorg replaced those blocks), in the
   * caller's transaction.
   */
  public static void rewind(Connection c, long ancestor) throws SQLException {
    Jdbc.update(c, "DELETE FROM checkpoint WHERE block_number > ?", ancestor);
  }
}
