package io.credence.devnet.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Pid files of detached processes under one directory. A pid counts only while its process is alive
 * and its command line still contains the marker it was started with (pids are reused).
 */
public final class PidFiles {
  private final Path dir;

  public PidFiles(Path dir) {
    this.dir = dir;
  }

  /** The live process recorded under {@code name}, if its command line contains {@code marker}. */
  public Optional<ProcessHandle> running(String name, String marker) {
    Path file = file(name);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(Files.readString(file).trim());
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(
              p -> p.info().commandLine().or(() -> p.info().command()).orElse("").contains(marker));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  public void write(String name, long pid) {
    try {
      Files.createDirectories(dir);
      Files.writeString(file(name), Long.toString(pid));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void delete(String name) {
    try {
      Files.deleteIfExists(file(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path file(String name) {
    return dir.resolve(name + ".pid");
  }
}
