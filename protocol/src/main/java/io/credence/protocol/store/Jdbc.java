package io.credence.protocol.store;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Plain JDBC for the services' own schemas: short transactions and statements written out in full.
 * Wei amounts are NUMERIC(78) columns, read and written as {@link BigInteger}.
 */
public final class Jdbc {
  /** Work inside one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Maps the current row. */
  @FunctionalInterface
  public interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private Jdbc() {}

  /**
   * Runs {@code work} in one transaction, committed when it returns and rolled back when it throws.
   */
  public static <T> T tx(DataSource dataSource, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(e);
    }
  }

  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    }
  }

  public static <T> List<T> query(Connection c, String sql, Row<T> row, Object... args)
      throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args);
        ResultSet rs = ps.executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rs.next()) {
        out.add(row.map(rs));
      }
      return out;
    }
  }

  public static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args)
      throws SQLException {
    List<T> all = query(c, sql, row, args);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /** A NUMERIC(78) column as a BigInteger (wei amounts). */
  public static BigInteger wei(ResultSet rs, String column) throws SQLException {
    BigDecimal d = rs.getBigDecimal(column);
    return d == null ? null : d.toBigIntegerExact();
  }

  /** Binds {@code args} to the statement's parameters, from the first. */
  public static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a instanceof BigInteger b) {
        ps.setBigDecimal(i + 1, new BigDecimal(b));
      } else if (a instanceof Long[] longs) {
        ps.setArray(i + 1, ps.getConnection().createArrayOf("bigint", longs));
      } else if (a instanceof String[] strings) {
        ps.setArray(i + 1, ps.getConnection().createArrayOf("text", strings));
      } else {
        ps.setObject(i + 1, a);
      }
    }
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args)
      throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      bind(ps, args);
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
    return ps;
  }

  /** A database failure; the caller's step is retried on its next round. */
  public static final class StoreException extends RuntimeException {
    StoreException(SQLException e) {
      super("database: " + e.getMessage(), e);
    }
  }
}
