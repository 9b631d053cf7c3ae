package io.credence.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU used between two points: this JVM's, and the whole machine's (busy and idle, from {@code
 * /proc/stat}), so a benchmark can say whether a phase was bound by the processor or by waiting.
 */
record Cpu(long wallNanos, long jvmNanos, long busyTicks, long idleTicks) {
  private static final double TICK = 0.01; // USER_HZ is 100 on Linux

  static Cpu now() {
    long jvm =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    long busy = 0;
    long idle = 0;
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal
      for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
        long v = Long.parseLong(f[i]);
        if (i == 4 || i == 5) {
          idle += v;
        } else {
          busy += v;
        }
      }
    } catch (IOException | RuntimeException e) {
      busy = -1;
    }
    return new Cpu(System.nanoTime(), jvm, busy, idle);
  }

  /** "wall 5.8 s, cpu: this JVM 6.1 s, machine 10.9 s busy / 0.7 s idle" since {@code start}. */
  static String since(Cpu start) {
    Cpu end = now();
    String machine =
        start.busyTicks < 0 || end.busyTicks < 0
            ? "machine n/a"
            : String.format(
                java.util.Locale.ROOT,
                "machine %.1f s busy / %.1f s idle",
                (end.busyTicks - start.busyTicks) * TICK,
                (end.idleTicks - start.idleTicks) * TICK);
    return String.format(
        java.util.Locale.ROOT,
        "wall %.2f s, cpu: this JVM %.1f s, %s",
        (end.wallNanos - start.wallNanos) / 1e9,
        (end.jvmNanos - start.jvmNanos) / 1e9,
        machine);
  }
}
