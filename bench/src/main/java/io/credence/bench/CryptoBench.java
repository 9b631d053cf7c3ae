package io.credence.bench;

import io.credence.protocol.Hashes;
import io.credence.protocol.receipt.Ecdsa;
import java.math.BigInteger;
import java.nio.file.Path;

/**
 * Signing and signer recovery ({@code scripts/bench crypto}), native libsecp256k1 against Bouncy
 * Castle, in the same run: in a warm loop, and with the caches flushed before each call (as after a
 * weight-bound model's run in the worker). Each figure is the mean over its calls.
 */
public final class CryptoBench {
  private static final byte[] FLUSH = new byte[96 << 20];
  private static long sink;

  private CryptoBench() {}

  private interface Call {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Path results = Path.of(args.length > 0 ? args[0] : "bench/results/crypto.txt");
    if (Ecdsa.backend() != Ecdsa.Backend.NATIVE) {
      throw new IllegalStateException("native libsecp256k1 did not load here: nothing to compare");
    }
    Figures f = new Figures("scripts/bench crypto");
    BigInteger key = new BigInteger(1, Hashes.keccak256("crypto bench".getBytes()));
    byte[][] digests = new byte[256][];
    byte[][] signatures = new byte[256][];
    for (int i = 0; i < digests.length; i++) {
      digests[i] = Hashes.keccak256(new byte[] {(byte) i, 7});
      signatures[i] = Ecdsa.sign(key, digests[i]);
    }
    for (boolean cold : new boolean[] {false, true}) {
      String mode = cold ? "cold" : "warm";
      double[] sign = new double[2];
      double[] recover = new double[2];
      for (Ecdsa.Backend b : Ecdsa.Backend.values()) {
        int[] i = {0};
        sign[b.ordinal()] = mean(() -> Ecdsa.sign(key, digests[i[0]++ & 255], b), cold);
        recover[b.ordinal()] =
            mean(() -> Ecdsa.recover(digests[i[0] & 255], signatures[i[0]++ & 255], b), cold);
        String name = b == Ecdsa.Backend.NATIVE ? "native" : "bouncycastle";
        f.add("crypto." + mode + ".sign." + name + ".us", sign[b.ordinal()], "us");
        f.add("crypto." + mode + ".recover." + name + ".us", recover[b.ordinal()], "us");
      }
      f.add("crypto." + mode + ".sign.speedup", sign[1] / sign[0], "ratio");
      f.add("crypto." + mode + ".recover.speedup", recover[1] / recover[0], "ratio");
    }
    f.note(
        "cold: a 96 MB array is swept before each call; warm: calls back to back; speedup = Bouncy Castle / native");
    f.write(results);
    if (sink == 42) {
      System.out.println("#");
    }
  }

  /** Mean µs per call, after as many calls to warm up. */
  private static double mean(Call call, boolean cold) throws Exception {
    int n = cold ? 400 : 20_000;
    long total = 0;
    for (int round = 0; round < 2; round++) {
      total = 0;
      for (int k = 0; k < n; k++) {
        if (cold) {
          for (int p = 0; p < FLUSH.length; p += 64) {
            sink += FLUSH[p]++;
          }
        }
        long t = System.nanoTime();
        call.run();
        total += System.nanoTime() - t;
      }
    }
    return total / 1e3 / n;
  }
}
