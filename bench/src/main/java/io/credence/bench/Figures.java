package io.credence.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A benchmark's output: {@code name value unit} lines on stdout, and the same lines recorded with
 * the command that produced them and when, so every published figure can be reproduced.
 */
public final class Figures {
  private final String command;
  private final List<String> lines = new ArrayList<>();
  private final java.util.Map<String, Double> values = new java.util.LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  Figures(String command) {
    this.command = command;
  }

  void add(String name, long value, String unit) {
    values.put(name, (double) value);
    emit(name + " " + value + " " + unit);
  }

  void add(String name, double value, String unit) {
    values.put(name, value);
    emit(name + " " + String.format(Locale.ROOT, "%.3f", value) + " " + unit);
  }

  /** The figures by name, in the order measured. */
  public java.util.Map<String, Double> values() {
    return java.util.Collections.unmodifiableMap(values);
  }

  /** Notes whether {@code value} meets {@code max}; a note, never a failure. */
  void target(String name, long value, long max) {
    note(
        String.format(
            Locale.ROOT,
            "target %s <= %d: %s (%d)",
            name,
            max,
            value <= max ? "met" : "MISSED",
            value));
  }

  void targetRatio(String name, double value, double max) {
    note(
        String.format(
            Locale.ROOT,
            "target %s <= %.2f: %s (%.4f)",
            name,
            max,
            value <= max ? "met" : "MISSED",
            value));
  }

  private void emit(String line) {
    lines.add(line);
    System.out.println(line);
  }

  void note(String note) {
    notes.add(note);
    System.out.println("# " + note);
  }

  public void write(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    out.add("# command: " + command);
    out.add("# recorded: " + Instant.now());
    out.add(
        "# machine: "
            + Runtime.getRuntime().availableProcessors()
            + " cores, Java "
            + System.getProperty("java.version"));
    notes.forEach(n -> out.add("# " + n));
    out.addAll(lines);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, out);
    System.out.println("# recorded in " + file);
  }
}
