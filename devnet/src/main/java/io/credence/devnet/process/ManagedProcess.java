package io.credence.devnet.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A child process whose output goes to a log file, that can be waited on until ready and stopped
 * with its descendants. Detached processes start in their own session (setsid) so they outlive the
 * launcher and the terminal; they are later stopped by pid.
 */
public final class ManagedProcess implements AutoCloseable {
  private final String name;
  private final ProcessHandle handle;
  private final Path log;

  private ManagedProcess(String name, ProcessHandle handle, Path log) {
    this.name = name;
    this.handle = handle;
    this.log = log;
  }

  /** Starts {@code command}, appending stdout and stderr to {@code log}. */
  public static ManagedProcess start(
      String name,
      List<String> command,
      Path workDir,
      Path log,
      Map<String, String> env,
      boolean detached) {
    List<String> cmd = new ArrayList<>();
    if (detached && Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.addAll(command);
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      ProcessBuilder pb =
          new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      return new ManagedProcess(name, pb.start().toHandle(), log);
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
    }
  }

  /** A process started earlier, found by its pid. */
  public static ManagedProcess attach(String name, long pid, Path log) {
    ProcessHandle h =
        ProcessHandle.of(pid)
            .orElseThrow(
                () -> new IllegalStateException(name + " (pid " + pid + ") is not running"));
    return new ManagedProcess(name, h, log);
  }

  public long pid() {
    return handle.pid();
  }

  public boolean isAlive() {
    return handle.isAlive();
  }

  public Path log() {
    return log;
  }

  /**
   * Polls {@code ready} until it answers true. Fails fast, with the end of the log, when the
   * process exits first or the timeout passes.
   */
  public void awaitReady(Duration timeout, BooleanSupplier ready) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!handle.isAlive()) {
        throw new IllegalStateException(
            name + " exited during start-up; last lines of " + log + ":\n" + logTail(40));
      }
      try {
        if (ready.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not ready yet
      }
      if (System.nanoTime() > deadline) {
        stop(Duration.ofSeconds(5));
        throw new IllegalStateException(
            name
                + " was not ready within "
                + timeout.toSeconds()
                + " s; last lines of "
                + log
                + ":\n"
                + logTail(40));
      }
      sleep(100);
    }
  }

  /** Asks the process (and its children) to stop, then kills what is left after {@code grace}. */
  public void stop(Duration grace) {
    stop(handle, grace);
  }

  /**
   * Stops any process by handle: SIGTERM to it and its descendants, SIGKILL after {@code grace}.
   */
  public static void stop(ProcessHandle process, Duration grace) {
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(0, process);
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle p : all) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        p.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception timeout) {
        p.destroyForcibly();
      }
    }
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // reported by the caller's port check
      }
    }
  }

  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(15));
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
