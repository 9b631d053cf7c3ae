package io.credence.indexer.ingest;

import io.credence.protocol.store.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Inserts collected per statement and sent as JDBC batches at the end of a step (with the
 * driver's {@code reWriteBatchedInserts}, one multi-row INSERT per few hundred rows).
 */
final class Rows implements AutoCloseable {
  private final Connection c;
  private final Map<String, PreparedStatement> statements = new LinkedHashMap<>();
  private int count;

  Rows(Connection c) {
    this.c = c;
  }

  void add(String sql, Object... args) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = c.prepareStatement(sql);
      statements.put(sql, ps);
    }
    Jdbc.bind(ps, args);
    ps.addBatch();
    count++;
  }

  /** Rows added so far. */
  int count() {
    return count;
  }

  void flush() throws SQLException {
    for (PreparedStatement ps : statements.values()) {
      ps.executeBatch();
    }
  }

  @Override
  public void close() throws SQLException {
    for (PreparedStatement ps : statements.values()) {
      ps.close();
    }
  }
}
