package io.credence.indexer.ingest;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;

/**
 * Rows collected per table during a step and written with PostgreSQL's {@code COPY ... FROM STDIN}
 * at its end: several times faster than batched INSERTs for a backfill. Callers write plain
 * {@code INSERT INTO table (columns) VALUES (?, ...)} statements; the table and columns are read
 * from them.
 */
final class Rows implements AutoCloseable {
  private static final Pattern INSERT = Pattern.compile("(?s)\\s*INSERT INTO (\\w+) \\(([^)]*)\\)\\s*VALUES.*");
  private static final HexFormat HEX = HexFormat.of();
  private static final Map<String, String> COPY = new java.util.concurrent.ConcurrentHashMap<>();

  private final Connection c;
  private final Map<String, StringBuilder> data = new LinkedHashMap<>();

  Rows(Connection c) {
    this.c = c;
  }

  void add(String insert, Object... args) {
    String copy = COPY.computeIfAbsent(insert, Rows::copyOf);
    StringBuilder b = data.computeIfAbsent(copy, k -> new StringBuilder(4096));
    for (int i = 0; i < args.length; i++) {
      if (i > 0) {
        b.append('\t');
      }
      text(b, args[i]);
    }
    b.append('\n');
  }

  void flush() throws SQLException {
    try {
      var api = c.unwrap(PGConnection.class).getCopyAPI();
      for (Map.Entry<String, StringBuilder> e : data.entrySet()) {
        api.copyIn(e.getKey(), new StringReader(e.getValue().toString()));
      }
    } catch (IOException e) {
      throw new SQLException("COPY failed: " + e.getMessage(), e);
    }
    data.clear();
  }

  @Override
  public void close() {
    data.clear();
  }

  private static String copyOf(String insert) {
    Matcher m = INSERT.matcher(insert);
    if (!m.matches() || insert.contains("'")) {
      throw new IllegalArgumentException("not an INSERT INTO table (columns) VALUES (?, ...) with parameters only: " + insert);
    }
    return "COPY " + m.group(1) + " (" + m.group(2).replaceAll("\\s+", " ").trim() + ") FROM STDIN";
  }

  /** One value in COPY's text format. */
  private static void text(StringBuilder b, Object v) {
    switch (v) {
      case null -> b.append("\\N");
      case byte[] bytes -> b.append("\\\\x").append(HEX.formatHex(bytes));
      case String s -> {
        for (int i = 0; i < s.length(); i++) {
          char ch = s.charAt(i);
          switch (ch) {
            case '\\' -> b.append("\\\\");
            case '\t' -> b.append("\\t");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            default -> b.append(ch);
          }
        }
      }
      case Boolean bool -> b.append(bool ? 't' : 'f');
      default -> b.append(v); // numbers
    }
  }
}
