package io.credence.worker.lying;

import io.credence.protocol.Hashes;
import io.credence.protocol.tensor.DType;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.web3j.utils.Numeric;

/**
 * The lying switch, for tests and demos of disputes only: a worker that signs wrong outputs on
 * purpose, so that challenges, audits and juries have something to catch. Off unless {@code
 * credence.worker.lie.rate} is above 0.
 *
 * <p>Whether a request is lied about is decided by {@code keccak256(uint256 requestId ‖ signer) mod
 * 10 000 < rate × 10 000}: the same worker always lies, or never lies, about the same request, so
 * running a job again (or re-running it as a juror) never gives two different signed outputs for
 * one request, which would be equivocation. A lie changes the output before it is hashed and
 * signed:
 *
 * <ul>
 *   <li>far outside any tolerance: each float32/float64 element {@code x} becomes {@code x + 0.25}
 *       when {@code |x| ≤ 1}, {@code x × 1.25} when larger (so that large values move by far more
 *       than their last bits), {@code 0.25} when NaN or infinite;
 *   <li>within tolerance ({@code credence.worker.lie.within-tolerance=true}): each float element
 *       moves up by exactly one unit in the last place ({@link Math#nextUp}), which a close
 *       tolerance of a few ulps accepts;
 *   <li>other tensors are left as they are; an output without a float tensor gets the lowest bit of
 *       its first integer (or bool) element flipped instead (within tolerance: no change).
 * </ul>
 *
 * The far change is increasing in {@code x}, so every row keeps its arg-max: a model judged by
 * arg-max does not catch these lies; they are meant for exact and close tolerances.
 */
public final class Liar {
  private static final Logger LOG = Logger.getLogger(Liar.class);
  private static final BigInteger BASIS_POINTS = BigInteger.valueOf(10_000);

  private final double rate;
  private final boolean withinTolerance;
  private final byte[] signer;
  private final String signerAddress;
  private final long threshold;
  private final Runnable onLie;

  /**
   * @param rate share of requests lied about, 0 (never, the default) to 1 (always)
   * @param withinTolerance move floats by one ulp instead of far
   * @param signerAddress the worker's signing key, part of the decision
   * @param onLie told each time an output is changed (metrics)
   */
  public Liar(double rate, boolean withinTolerance, String signerAddress, Runnable onLie) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("credence.worker.lie.rate must be 0..1, got " + rate);
    }
    this.rate = rate;
    this.withinTolerance = withinTolerance;
    this.signerAddress = signerAddress;
    this.signer = Hashes.fromHex(signerAddress);
    this.threshold = Math.round(rate * 10_000);
    this.onLie = onLie;
  }

  /** A worker that never lies. */
  public static Liar honest(String signerAddress) {
    return new Liar(0, false, signerAddress, () -> {});
  }

  /** True when this worker lies about some requests. */
  public boolean enabled() {
    return threshold > 0;
  }

  public double rate() {
    return rate;
  }

  public boolean withinTolerance() {
    return withinTolerance;
  }

  /** Whether this worker lies about {@code requestId}; the same answer every time. */
  public boolean liesAbout(long requestId) {
    if (threshold == 0) {
      return false;
    }
    byte[] id = Numeric.toBytesPadded(BigInteger.valueOf(requestId), 32);
    byte[] both = new byte[id.length + signer.length];
    System.arraycopy(id, 0, both, 0, id.length);
    System.arraycopy(signer, 0, both, id.length, signer.length);
    BigInteger draw = new BigInteger(1, Hashes.keccak256(both)).mod(BASIS_POINTS);
    return draw.longValueExact() < threshold;
  }

  /**
   * {@code output} (a canonical tensor encoding) as this worker signs it for {@code requestId}:
   * unchanged, or perturbed when it lies about the request (with a WARN in the log).
   */
  public byte[] apply(long requestId, byte[] output) {
    if (!liesAbout(requestId)) {
      return output;
    }
    byte[] lie = TensorCodec.encode(perturb(TensorCodec.decode(output), withinTolerance));
    onLie.run();
    LOG.warnf(
        "THIS WORKER LIES: request %d's output changed %s before signing (worker %s,"
            + " credence.worker.lie.rate=%s; test/demo only)",
        requestId,
        withinTolerance ? "by one ulp per float" : "far outside any tolerance",
        signerAddress,
        rate);
    return lie;
  }

  /** The lie told about {@code outputs} (see the class description). */
  public static List<Tensor> perturb(List<Tensor> outputs, boolean withinTolerance) {
    boolean anyFloat =
        outputs.stream().anyMatch(t -> t.dtype() == DType.FLOAT32 || t.dtype() == DType.FLOAT64);
    List<Tensor> out = new ArrayList<>(outputs.size());
    boolean flipped = false;
    for (Tensor t : outputs) {
      switch (t.dtype()) {
        case FLOAT32 -> out.add(floats(t, withinTolerance));
        case FLOAT64 -> out.add(doubles(t, withinTolerance));
        default -> {
          if (!anyFloat && !withinTolerance && !flipped && t.size() > 0) {
            byte[] data = t.data();
            data[0] ^= 1; // little-endian: the lowest bit of the first element
            out.add(new Tensor(t.name(), t.dtype(), t.shape(), data));
            flipped = true;
          } else {
            out.add(t);
          }
        }
      }
    }
    return out;
  }

  private static Tensor floats(Tensor t, boolean withinTolerance) {
    float[] v = t.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = withinTolerance ? Math.nextUp(v[i]) : (float) far(v[i]);
    }
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return new Tensor(t.name(), t.dtype(), t.shape(), b.array());
  }

  private static Tensor doubles(Tensor t, boolean withinTolerance) {
    double[] v = t.toDoubleArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = withinTolerance ? Math.nextUp(v[i]) : far(v[i]);
    }
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(v);
    return new Tensor(t.name(), t.dtype(), t.shape(), b.array());
  }

  private static double far(double x) {
    if (!Double.isFinite(x)) {
      return 0.25;
    }
    return Math.abs(x) <= 1 ? x + 0.25 : x * 1.25;
  }
}
