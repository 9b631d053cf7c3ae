package io.credence.indexer.store;

/**
 * Where ingestion's rows go: PostgreSQL's COPY in the indexer ({@link Rows}), a list in unit tests.
 * A row is a plain {@code INSERT INTO table (columns) VALUES (?, ...)} and its values.
 */
public interface RowSink {
  void add(String insert, Object... args);
}
