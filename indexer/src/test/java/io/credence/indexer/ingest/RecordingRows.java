package io.credence.indexer.ingest;

import io.credence.indexer.store.RowSink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The rows a step wrote, by table, each as column → value: what COPY would have received. */
final class RecordingRows implements RowSink {
  private static final Pattern INSERT =
      Pattern.compile("(?s)\\s*INSERT INTO (\\w+) \\(([^)]*)\\)\\s*VALUES.*");
  private final Map<String, List<Map<String, Object>>> tables = new LinkedHashMap<>();

  @Override
  public void add(String insert, Object... args) {
    Matcher m = INSERT.matcher(insert);
    if (!m.matches()) {
      throw new AssertionError("not an INSERT: " + insert);
    }
    String[] columns = m.group(2).replaceAll("\\s+", "").split(",");
    if (columns.length != args.length) {
      throw new AssertionError(columns.length + " columns, " + args.length + " values: " + insert);
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < columns.length; i++) {
      row.put(columns[i], args[i]);
    }
    tables.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(row);
  }

  List<Map<String, Object>> rows(String table) {
    return tables.getOrDefault(table, List.of());
  }

  Map<String, List<Map<String, Object>>> all() {
    return tables;
  }
}
