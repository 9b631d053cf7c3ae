package io.credence.worker.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.models.BenchMlp;
import io.credence.protocol.Hashes;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.worker.model.LoadedModel;
import io.credence.worker.model.ModelStore;
import io.credence.worker.model.SessionCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batched jobs get exactly the bytes they would alone, and concurrent jobs really are batched. */
class BatcherTest {
  @TempDir Path dir;

  /** A session on a benchmark MLP of {@code sizes}, written to the temp dir. */
  private LoadedModel load(int[] sizes, String provider) throws Exception {
    byte[] model = BenchMlp.build(sizes, 3);
    Files.write(dir.resolve("m.onnx"), model);
    SessionCache sessions =
        new SessionCache(
            new ModelStore(dir.resolve("cache"), dir, 10_000_000, Duration.ofSeconds(5)),
            2,
            provider,
            0,
            1);
    return sessions.load("file:m.onnx", Hashes.sha256(model));
  }

  @Test
  void concurrentJobsAreBatchedAndGetTheirOwnRowsBitForBit() throws Exception {
    LoadedModel loaded = load(new int[] {32, 64, 64, 5}, "cpu");
    InferenceEngine engine = new InferenceEngine(1_000_000);
    ConcurrentLinkedQueue<Integer> sizes = new ConcurrentLinkedQueue<>();
    Batcher batcher = new Batcher(engine, 16, Duration.ofMillis(20), sizes::add);
    ConcurrentLinkedQueue<Long> queued = new ConcurrentLinkedQueue<>();

    int jobs = 48;
    List<List<Tensor>> inputs = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < jobs; i++) {
      float[] x = new float[(i % 3 + 1) * 32];
      for (int k = 0; k < x.length; k++) {
        x[k] = (float) random.nextDouble(-1, 1);
      }
      inputs.add(List.of(Tensor.ofFloat32(BenchMlp.INPUT, new long[] {x.length / 32, 32}, x)));
    }
    List<byte[]> alone = new ArrayList<>();
    for (List<Tensor> in : inputs) {
      alone.add(TensorCodec.encode(engine.run(loaded, in)));
    }

    ExecutorService pool = Executors.newFixedThreadPool(jobs);
    try {
      List<Future<byte[]>> batched = new ArrayList<>();
      for (List<Tensor> in : inputs) {
        batched.add(pool.submit(() -> TensorCodec.encode(batcher.run(loaded, in, queued::add))));
      }
      for (int i = 0; i < jobs; i++) {
        assertThat(batched.get(i).get()).as("job %d", i).isEqualTo(alone.get(i));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(queued)
        .as("every job is told how long it queued")
        .hasSize(jobs)
        .allMatch(nanos -> nanos >= 0);
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(jobs);
    assertThat(sizes.stream().mapToInt(Integer::intValue).max().orElse(0))
        .as("largest batch")
        .isGreaterThan(1);
    assertThat(sizes).allMatch(s -> s <= 16);
  }

  @Test
  void jobsThatCannotShareARunRunAlone() throws Exception {
    LoadedModel loaded = load(new int[] {4, 8, 3}, "cpu");
    assertThat(
            Batcher.batchKey(
                loaded, List.of(Tensor.ofFloat32(BenchMlp.INPUT, new long[] {2, 4}, new float[8]))))
        .isNotNull();
    assertThat(
            Batcher.batchKey(
                loaded, List.of(Tensor.ofFloat32(BenchMlp.INPUT, new long[] {1, 4}, new float[4]))))
        .isEqualTo(
            Batcher.batchKey(
                loaded,
                List.of(Tensor.ofFloat32(BenchMlp.INPUT, new long[] {3, 4}, new float[12]))));
  }

  @Test
  void aJobRunAloneDidNotQueue() throws Exception {
    LoadedModel loaded = load(new int[] {4, 8, 3}, "cpu");
    InferenceEngine engine = new InferenceEngine(1_000_000);
    ConcurrentLinkedQueue<Integer> sizes = new ConcurrentLinkedQueue<>();
    Batcher unbatched = new Batcher(engine, 1, Duration.ofMillis(20), sizes::add);
    long[] queued = {-1};
    List<Tensor> in = List.of(Tensor.ofFloat32(BenchMlp.INPUT, new long[] {1, 4}, new float[4]));

    assertThat(unbatched.run(loaded, in, nanos -> queued[0] = nanos)).hasSize(1);
    assertThat(queued[0]).isZero();
    assertThat(sizes).containsExactly(1);
  }

  @Test
  void cudaFallsBackToCpuWhenUnavailable() throws Exception {
    LoadedModel loaded = load(new int[] {4, 8, 3}, "cuda");
    assertThat(loaded.provider()).isEqualTo("CPU");
  }
}
