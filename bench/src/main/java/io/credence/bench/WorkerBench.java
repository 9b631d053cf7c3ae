package io.credence.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.credence.models.BenchMlp;
import io.credence.models.ModelFactory;
import io.credence.protocol.Hashes;
import io.credence.protocol.messages.JobMessage;
import io.credence.protocol.messages.ResultMessage;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.worker.exec.Batcher;
import io.credence.worker.exec.InferenceEngine;
import io.credence.worker.exec.ModelRunner;
import io.credence.worker.jobs.JobHandler;
import io.credence.worker.jobs.ResultStore;
import io.credence.worker.lying.Liar;
import io.credence.worker.model.ModelStore;
import io.credence.worker.model.SessionCache;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.web3j.crypto.Credentials;

/**
 * The worker's cost over the model, and what dynamic batching buys, on the benchmark MLP (models/,
 * 1024-4096-4096-16), measured in one run against raw ONNX Runtime on the same model and inputs.
 * The worker path is the real one (JobHandler: decode, validate, run, encode, hash, sign, store the
 * result); Kafka is left out (an end-to-end figure belongs with the relayer).
 */
public final class WorkerBench {
  private static final String HUB = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

  /**
   * Calls before timing: enough for the JIT to compile the worker's Java path (hashing, signing,
   * encoding, logging), as in a worker that has been serving for a while.
   */
  private static final int WARMUP = 1000;

  private final int[] sizes;
  private final int in;
  private final Path dir;
  private final byte[] modelHash;

  private final AtomicLong requestIds = new AtomicLong(1);
  private final SplittableRandom random = new SplittableRandom(1);

  private WorkerBench(Path dir, int[] sizes) throws Exception {
    this.dir = dir;
    this.sizes = sizes;
    this.in = sizes[0];
    byte[] model = BenchMlp.build(sizes, ModelFactory.BENCH_SEED);
    Files.createDirectories(dir);
    Files.write(dir.resolve("mlp.onnx"), model);
    this.modelHash = Hashes.sha256(model);
  }

  /**
   * @param args results file, then optionally the MLP's layer sizes (e.g. {@code
   *     2048,6144,6144,16}) to measure another model than the benchmark MLP
   */
  public static void main(String[] args) throws Exception {
    Path results = Path.of(args.length > 0 ? args[0] : "bench/results/worker.txt");
    int[] sizes =
        args.length > 1
            ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
            : ModelFactory.BENCH_SIZES;
    Path dir =
        Files.createTempDirectory(Path.of("bench", "target").toAbsolutePath(), "worker-bench");
    new WorkerBench(dir, sizes).run().write(results);
  }

  private Figures run() throws Exception {
    boolean benchMlp = Arrays.equals(sizes, ModelFactory.BENCH_SIZES);
    String sizeArg =
        Arrays.stream(sizes).mapToObj(Integer::toString).collect(Collectors.joining(","));
    Figures f = new Figures("scripts/bench worker" + (benchMlp ? "" : " " + sizeArg));
    f.note("model: MLP " + Arrays.toString(sizes));
    int n = 300;
    float[][] inputs = new float[n][];
    for (int i = 0; i < n; i++) {
      inputs[i] = randomRow();
    }

    // raw ONNX Runtime (same session options as the worker's) and the worker's path, batch 1,
    // sequential, one call of each in turn, so that the machine's drift affects both alike
    JobHandler single = handler("sequential", 1);
    List<JobMessage> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job(inputs[i]));
    }
    long rawNanos = 0;
    long workerNanos = 0;
    long[] latencies = new long[n];
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(dir.resolve("mlp.onnx").toString(), options())) {
      for (int i = 0; i < WARMUP; i++) {
        rawRun(env, s, inputs[i % n]);
        single.handle(job(inputs[i % n]));
      }
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        rawRun(env, s, inputs[i]);
        long t1 = System.nanoTime();
        ResultMessage r = single.handle(jobs.get(i));
        long t2 = System.nanoTime();
        if (r.status() != ResultMessage.Status.OK) {
          throw new IllegalStateException("job failed: " + r.detail());
        }
        rawNanos += t1 - t0;
        workerNanos += t2 - t1;
        latencies[i] = t2 - t1;
      }
    }
    double raw = rawNanos / 1e3 / n;
    double worker = workerNanos / 1e3 / n;
    f.add("worker.raw_session_run.us", raw, "us");
    Arrays.sort(latencies);
    f.add("worker.per_request.us", worker, "us");
    f.add("worker.overhead.ratio", worker / raw, "ratio");
    f.add("worker.sequential.requests_per_s", 1e6 / worker, "req/s");
    f.add("worker.latency.p50_ms", latencies[n / 2] / 1e6, "ms");
    f.add("worker.latency.p99_ms", latencies[(int) (n * 0.99)] / 1e6, "ms");
    phases(f, inputs);

    // 64 concurrent requests, with and without dynamic batching
    JobHandler unbatchedHandler = handler("unbatched", 1);
    JobHandler batchedHandler = handler("batched", 64);
    double unbatched = concurrentThroughput(() -> unbatchedHandler.handle(job(randomRow())), 64, 8);
    double batched = concurrentThroughput(() -> batchedHandler.handle(job(randomRow())), 64, 8);
    // the same stream against raw session.run at the same concurrency: what the worker adds
    // when it serves many requests at once (its Java work overlaps other requests' runs)
    double rawStream;
    try (OrtSession s = env.createSession(dir.resolve("mlp.onnx").toString(), options())) {
      rawStream = concurrentThroughput(() -> rawRun(env, s, randomRow()), 64, 8);
    }
    f.add("worker.concurrent64.raw_session_run.requests_per_s", rawStream, "req/s");
    f.add("worker.stream.overhead.ratio", rawStream / unbatched, "ratio");
    f.add("worker.concurrent64.unbatched.requests_per_s", unbatched, "req/s");
    f.add("worker.concurrent64.batched.requests_per_s", batched, "req/s");
    f.add("worker.batching.speedup", batched / unbatched, "ratio");
    f.targetRatio("worker.overhead.ratio", worker / raw, 1.10);
    f.note(
        String.format(
            java.util.Locale.ROOT,
            "target worker.batching.speedup >= 3.00: %s (%.2f)",
            batched / unbatched >= 3 ? "met" : "MISSED",
            batched / unbatched));
    return f;
  }

  /**
   * The worker's steps timed one by one, each right after a run as in the worker (a run of a
   * weight-bound model leaves the caches cold for what follows).
   */
  private void phases(Figures f, float[][] inputs) throws Exception {
    ModelStore store =
        new ModelStore(dir.resolve("cache"), dir, 1_000_000_000L, Duration.ofSeconds(10));
    SessionCache sessions = new SessionCache(store, 2, "cpu", 0, 0);
    InferenceEngine engine = new InferenceEngine(10_000_000);
    var model = sessions.load("file:mlp.onnx", modelHash);
    ReceiptSigner signer =
        new ReceiptSigner(Credentials.create(Hashes.hex(Hashes.keccak256("phases".getBytes()))));
    ResultStore log = new ResultStore(dir.resolve("results-phases"));
    String[] names = {"decode", "validate", "run", "encode", "sign", "log"};
    long[] total = new long[names.length];
    int n = 200;
    for (int i = 0; i < n + WARMUP; i++) {
      byte[] input =
          TensorCodec.encode(
              List.of(
                  Tensor.ofFloat32(BenchMlp.INPUT, new long[] {1, in}, inputs[i % inputs.length])));
      long t0 = System.nanoTime();
      List<Tensor> decoded = TensorCodec.decode(input);
      Hashes.keccak256(input);
      long t1 = System.nanoTime();
      engine.validate(model, decoded);
      long t2 = System.nanoTime();
      List<Tensor> out = engine.run(model, decoded);
      long t3 = System.nanoTime();
      byte[] encoded = TensorCodec.encode(out);
      byte[] hash = Hashes.keccak256(encoded);
      long t4 = System.nanoTime();
      byte[] signature = signer.sign(hash);
      long t5 = System.nanoTime();
      log.put(
          HUB,
          new ResultMessage(
              100_000 + i,
              signer.address(),
              ResultMessage.Status.OK,
              Base64.getEncoder().encodeToString(encoded),
              Hashes.hex(hash),
              1L,
              Hashes.hex(signature),
              null,
              null,
              Map.of()));
      long t6 = System.nanoTime();
      if (i >= WARMUP) {
        long[] t = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5};
        for (int k = 0; k < t.length; k++) {
          total[k] += t[k];
        }
      }
    }
    for (int k = 0; k < names.length; k++) {
      f.add("worker.phase." + names[k] + ".us", total[k] / 1e3 / n, "us");
    }
    model.release();
    sessions.close();
  }

  /** A request of the benchmark, sent by one client. */
  private interface Request {
    void send() throws Exception;
  }

  /**
   * Requests per second with {@code clients} concurrent clients, each sending {@code perClient};
   * the first round warms up, the second is timed.
   */
  private static double concurrentThroughput(Request request, int clients, int perClient)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      double perSecond = 0;
      for (int round = 0; round < 2; round++) {
        List<Future<?>> done = new ArrayList<>();
        long t = System.nanoTime();
        for (int c = 0; c < clients; c++) {
          done.add(
              pool.submit(() -> {
                for (int i = 0; i < perClient; i++) {
                  request.send();
                }
                return null;
              }));
        }
        for (Future<?> d : done) {
          d.get();
        }
        perSecond = clients * perClient / ((System.nanoTime() - t) / 1e9);
      }
      return perSecond;
    } finally {
      pool.shutdownNow();
    }
  }

  private JobHandler handler(String name, int maxBatch) {
    ModelStore store =
        new ModelStore(dir.resolve("cache"), dir, 1_000_000_000L, Duration.ofSeconds(10));
    InferenceEngine engine = new InferenceEngine(10_000_000);
    ReceiptSigner signer =
        new ReceiptSigner(Credentials.create(Hashes.hex(Hashes.keccak256("bench".getBytes()))));
    return new JobHandler(
        31337,
        HUB,
        signer,
        new ModelRunner(
            new SessionCache(store, 2, "cpu", 0, 0),
            engine,
            new Batcher(engine, maxBatch, Duration.ofMillis(2), s -> {}),
            10_000_000),
        Liar.honest(signer.address()),
        new ResultStore(dir.resolve("results-" + name)),
        Clock.systemUTC());
  }

  private JobMessage job(float[] row) {
    byte[] input =
        TensorCodec.encode(List.of(Tensor.ofFloat32(BenchMlp.INPUT, new long[] {1, in}, row)));
    return new JobMessage(
        requestIds.getAndIncrement(),
        31337,
        HUB,
        1,
        Hashes.hex(modelHash),
        "file:mlp.onnx",
        Base64.getEncoder().encodeToString(input),
        Hashes.hex(Hashes.keccak256(input)),
        1,
        0,
        1);
  }

  private synchronized float[] randomRow() {
    float[] x = new float[in];
    for (int i = 0; i < in; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    return x;
  }

  /** Exactly the worker's session options. */
  private static OrtSession.SessionOptions options() throws Exception {
    return SessionCache.options(0);
  }

  private static void rawRun(OrtEnvironment env, OrtSession s, float[] row) throws Exception {
    try (OnnxTensor t =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(row), new long[] {1, row.length});
        OrtSession.Result r = s.run(Map.of(BenchMlp.INPUT, t))) {
      r.get(BenchMlp.OUTPUT).orElseThrow();
    }
  }
}
