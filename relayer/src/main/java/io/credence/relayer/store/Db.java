package io.credence.relayer.store;

import io.credence.protocol.store.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Plain JDBC on the relayer's schema (see {@link Jdbc}): short transactions, statements written out
 * in full. Only the store classes of this package use it: SQL lives there and nowhere else.
 */
@ApplicationScoped
public class Db {
  private final DataSource dataSource;

  @Inject
  public Db(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  DataSource dataSource() {
    return dataSource;
  }

  /**
   * Runs {@code work} in one transaction, committed when it returns and rolled back when it throws.
   */
  public <T> T tx(Jdbc.Work<T> work) {
    return Jdbc.tx(dataSource, work);
  }

  /** Runs one statement outside any larger transaction. */
  public int update(String sql, Object... args) {
    return tx(c -> update(c, sql, args));
  }

  public <T> List<T> query(String sql, Jdbc.Row<T> row, Object... args) {
    return tx(c -> query(c, sql, row, args));
  }

  public <T> Optional<T> one(String sql, Jdbc.Row<T> row, Object... args) {
    return tx(c -> one(c, sql, row, args));
  }

  public static int update(Connection c, String sql, Object... args) throws SQLException {
    return Jdbc.update(c, sql, args);
  }

  public static <T> List<T> query(Connection c, String sql, Jdbc.Row<T> row, Object... args)
      throws SQLException {
    return Jdbc.query(c, sql, row, args);
  }

  public static <T> Optional<T> one(Connection c, String sql, Jdbc.Row<T> row, Object... args)
      throws SQLException {
    return Jdbc.one(c, sql, row, args);
  }

  /** A NUMERIC(78) column as a BigInteger (wei amounts). */
  public static BigInteger wei(ResultSet rs, String column) throws SQLException {
    return Jdbc.wei(rs, column);
  }
}
