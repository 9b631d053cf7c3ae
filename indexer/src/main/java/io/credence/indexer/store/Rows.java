package io.credence.indexer.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Rows collected per table during a step and written with PostgreSQL's {@code COPY ... FROM STDIN}
 * at its end: several times faster than batched INSERTs for a backfill. Callers write plain {@code
 * INSERT INTO table (columns) VALUES (?, ...)} statements; the table and columns are read from
 * them. Values are written straight into COPY's text format as UTF-8 bytes, which is what the
 * driver sends, so nothing is copied or encoded twice.
 */
public final class Rows implements RowSink, AutoCloseable {
  private static final Pattern INSERT =
      Pattern.compile("(?s)\\s*INSERT INTO (\\w+) \\(([^)]*)\\)\\s*VALUES.*");
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final Map<String, String> COPY = new java.util.concurrent.ConcurrentHashMap<>();

  private final Connection c;
  private final Map<String, Bytes> data = new LinkedHashMap<>();

  public Rows(Connection c) {
    this.c = c;
  }

  @Override
  public void add(String insert, Object... args) {
    String copy = COPY.computeIfAbsent(insert, Rows::copyOf);
    Bytes b = data.computeIfAbsent(copy, k -> new Bytes());
    for (int i = 0; i < args.length; i++) {
      if (i > 0) {
        b.put('\t');
      }
      text(b, args[i]);
    }
    b.put('\n');
  }

  /** Writes every row collected, one COPY per table. */
  public void flush() throws SQLException {
    var api = c.unwrap(PGConnection.class).getCopyAPI();
    for (Map.Entry<String, Bytes> e : data.entrySet()) {
      CopyIn in = api.copyIn(e.getKey());
      try {
        in.writeToCopy(e.getValue().a, 0, e.getValue().n);
        in.endCopy();
      } catch (SQLException | RuntimeException failure) {
        if (in.isActive()) {
          try {
            in.cancelCopy();
          } catch (SQLException cancel) {
            failure.addSuppressed(cancel);
          }
        }
        throw failure;
      }
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
      throw new IllegalArgumentException(
          "not an INSERT INTO table (columns) VALUES (?, ...) with parameters only: " + insert);
    }
    return "COPY " + m.group(1) + " (" + m.group(2).replaceAll("\\s+", " ").trim() + ") FROM STDIN";
  }

  /** One value in COPY's text format. */
  static void text(Bytes b, Object v) {
    switch (v) {
      case null -> b.ascii("\\N");
      case byte[] bytes -> {
        b.ascii("\\\\x");
        b.room(bytes.length * 2);
        for (byte x : bytes) {
          b.a[b.n++] = HEX[(x >> 4) & 0xf];
          b.a[b.n++] = HEX[x & 0xf];
        }
      }
      case String s -> {
        for (int i = 0; i < s.length(); i++) {
          char ch = s.charAt(i);
          switch (ch) {
            case '\\' -> b.ascii("\\\\");
            case '\t' -> b.ascii("\\t");
            case '\n' -> b.ascii("\\n");
            case '\r' -> b.ascii("\\r");
            default -> {
              if (ch < 0x80) {
                b.put(ch);
              } else {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) >= 0x80) {
                  end++;
                }
                byte[] utf8 = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
                b.room(utf8.length);
                System.arraycopy(utf8, 0, b.a, b.n, utf8.length);
                b.n += utf8.length;
                i = end - 1;
              }
            }
          }
        }
      }
      case Boolean bool -> b.put(bool ? 't' : 'f');
      case Long l -> b.ascii(Long.toString(l));
      case Integer n -> b.ascii(Integer.toString(n));
      default -> b.ascii(v.toString()); // other numbers
    }
  }

  /** A growable byte buffer. */
  static final class Bytes {
    byte[] a = new byte[8192];
    int n;

    void room(int more) {
      if (n + more > a.length) {
        a = Arrays.copyOf(a, Math.max(a.length * 2, n + more));
      }
    }

    void put(char ascii) {
      room(1);
      a[n++] = (byte) ascii;
    }

    void ascii(String s) {
      room(s.length());
      for (int i = 0; i < s.length(); i++) {
        a[n++] = (byte) s.charAt(i);
      }
    }

    @Override
    public String toString() {
      return new String(a, 0, n, StandardCharsets.UTF_8);
    }
  }
}
