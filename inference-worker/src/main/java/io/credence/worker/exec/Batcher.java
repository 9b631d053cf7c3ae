package io.credence.worker.exec;

import ai.onnxruntime.TensorInfo;
import io.credence.protocol.tensor.Tensor;
import io.credence.worker.model.LoadedModel;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * Dynamic batching: concurrent jobs for one model whose inputs differ only in the first (batch)
 * dimension, which the model leaves open, run in one {@code session.run}. Jobs that can share a run
 * queue together ({@link #batchKey}), and one of them leads: it waits until {@code maxBatch} jobs
 * are queued (jobs, not rows: a job may carry several rows) or {@code maxWait} has passed, takes up
 * to {@code maxBatch} jobs from the head of the queue (itself first), runs them, hands each job its
 * rows of every output, and then hands the lead to the next queued job, which waits for its own
 * batch the same way. A job that cannot be batched runs alone at once; so does each job of a batch
 * whose run fails or whose outputs do not follow the batch dimension, so that one bad job does not
 * fail its neighbours. On CPU, ONNX Runtime computes each row exactly as it would alone, so a job's
 * output hash does not depend on its batch (checked by the tests).
 */
public final class Batcher {
  private final InferenceEngine engine;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final IntConsumer batchSizes;
  private final Map<String, Queue> queues = new HashMap<>();

  /**
   * @param batchSizes told the number of jobs of every batch, 1 for a job run alone (metrics)
   */
  public Batcher(InferenceEngine engine, int maxBatch, Duration maxWait, IntConsumer batchSizes) {
    this.engine = engine;
    this.maxBatch = maxBatch;
    this.maxWaitNanos = maxWait.toNanos();
    this.batchSizes = batchSizes;
  }

  /** Runs {@code inputs} (already validated) on {@code model}, batched with others when it can. */
  public List<Tensor> run(LoadedModel model, List<Tensor> inputs) throws JobFailure {
    return run(model, inputs, queued -> {});
  }

  /**
   * As {@link #run(LoadedModel, List)}, and tells {@code queuedNanos} how long the job waited
   * before its batch started to run (for a batch to fill, and for earlier batches of its queue); 0
   * for a job that runs alone. Not told when the run fails.
   */
  public List<Tensor> run(LoadedModel model, List<Tensor> inputs, LongConsumer queuedNanos)
      throws JobFailure {
    String key = maxBatch > 1 ? batchKey(model, inputs) : null;
    if (key == null) {
      batchSizes.accept(1);
      List<Tensor> outputs = engine.run(model, inputs);
      queuedNanos.accept(0);
      return outputs;
    }
    Queue q;
    synchronized (queues) {
      q = queues.computeIfAbsent(key, k -> new Queue());
    }
    Pending me = new Pending(inputs, rows(inputs));
    boolean lead = q.enqueue(me, maxBatch);
    try {
      while (!me.result.isDone()) {
        if (lead || me.leadership.isDone()) {
          // lead one batch (this job is in it: it heads the queue), then hand over
          List<Pending> batch = null;
          try {
            batch = q.awaitBatch(maxBatch, maxWaitNanos);
            execute(model, batch);
          } catch (Throwable t) {
            if (batch != null) {
              for (Pending p : batch) {
                p.result.completeExceptionally(t);
              }
            }
            throw t;
          } finally {
            q.handOver();
          }
          lead = false;
        } else {
          CompletableFuture.anyOf(me.result, me.leadership).get(5, TimeUnit.MINUTES);
        }
      }
      List<Tensor> outputs = me.result.get();
      queuedNanos.accept(me.startedAt - me.queuedAt);
      return outputs;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof JobFailure f) {
        throw f;
      }
      throw new IllegalStateException("batched run failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a batch", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("a batch did not finish within 5 minutes", e);
    } catch (Error | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("batched run failed", e);
    }
  }

  private void execute(LoadedModel model, List<Pending> batch) {
    if (batch.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    for (Pending p : batch) {
      p.startedAt = started;
    }
    batchSizes.accept(batch.size());
    if (batch.size() == 1) {
      Pending only = batch.get(0);
      complete(only, () -> engine.run(model, only.inputs));
      return;
    }
    try {
      List<Tensor> merged = new ArrayList<>();
      for (int i = 0; i < batch.get(0).inputs.size(); i++) {
        merged.add(concat(batch, i));
      }
      List<Tensor> outputs = engine.run(model, merged);
      long total = batch.stream().mapToLong(p -> p.rows).sum();
      for (Tensor out : outputs) {
        long[] shape = out.shape();
        if (shape.length == 0 || shape[0] != total) {
          // outputs that do not follow the batch dimension cannot be split: run each alone
          batch.forEach(p -> complete(p, () -> engine.run(model, p.inputs)));
          return;
        }
      }
      long offset = 0;
      for (Pending p : batch) {
        List<Tensor> mine = new ArrayList<>();
        for (Tensor out : outputs) {
          mine.add(slice(out, offset, p.rows));
        }
        offset += p.rows;
        p.result.complete(mine);
      }
    } catch (JobFailure | RuntimeException e) {
      // one bad job must not fail its neighbours: run each alone so each gets its own answer
      batch.forEach(p -> complete(p, () -> engine.run(model, p.inputs)));
    }
  }

  private interface Run {
    List<Tensor> get() throws JobFailure;
  }

  private static void complete(Pending p, Run run) {
    if (p.result.isDone()) {
      return;
    }
    try {
      p.result.complete(run.get());
    } catch (JobFailure | RuntimeException e) {
      p.result.completeExceptionally(e);
    }
  }

  /**
   * The batch a job can join: same model, same input type and dimensions but the first. Only models
   * with one input whose first dimension is open, and whose outputs all have an open first
   * dimension, are batched: with several inputs a model may relate rows of one input to rows of
   * another (attention, for one), which would mix jobs. Null when the job cannot be batched.
   */
  static String batchKey(LoadedModel model, List<Tensor> inputs) {
    if (inputs.size() != 1 || model.outputs().size() == 0) {
      return null;
    }
    for (ai.onnxruntime.NodeInfo out : model.outputs().values()) {
      if (!(out.getInfo() instanceof TensorInfo info)
          || info.getShape().length == 0
          || info.getShape()[0] >= 0) {
        return null;
      }
    }
    StringBuilder key = new StringBuilder(model.sha256());
    for (Tensor t : inputs) {
      if (!(model.inputs().get(t.name()).getInfo() instanceof TensorInfo info)) {
        return null;
      }
      long[] declared = info.getShape();
      long[] shape = t.shape();
      if (declared.length == 0 || declared[0] >= 0 || shape.length == 0) {
        return null;
      }
      key.append('|')
          .append(t.name())
          .append(':')
          .append(t.dtype())
          .append(Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
    }
    return key.toString();
  }

  private static long rows(List<Tensor> inputs) {
    return inputs.get(0).shape()[0];
  }

  private static Tensor concat(List<Pending> batch, int input) {
    Tensor first = batch.get(0).inputs.get(input);
    long[] shape = first.shape();
    long rows = 0;
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (Pending p : batch) {
      Tensor t = p.inputs.get(input);
      rows += t.shape()[0];
      data.writeBytes(t.data());
    }
    shape[0] = rows;
    return new Tensor(first.name(), first.dtype(), shape, data.toByteArray());
  }

  private static Tensor slice(Tensor t, long fromRow, long rows) {
    long[] shape = t.shape();
    long rowBytes = t.data().length / shape[0];
    byte[] data =
        Arrays.copyOfRange(
            t.data(), (int) (fromRow * rowBytes), (int) ((fromRow + rows) * rowBytes));
    shape[0] = rows;
    return new Tensor(t.name(), t.dtype(), shape, data);
  }

  private static final class Pending {
    final List<Tensor> inputs;
    final long rows;
    final long queuedAt = System.nanoTime();

    /** Set by the leader before it completes {@link #result}, which publishes it to this job. */
    long startedAt;

    final CompletableFuture<List<Tensor>> result = new CompletableFuture<>();

    /** Completed when this job must lead the next batch. */
    final CompletableFuture<Void> leadership = new CompletableFuture<>();

    Pending(List<Tensor> inputs, long rows) {
      this.inputs = inputs;
      this.rows = rows;
    }
  }

  /** Jobs waiting for one batch key, and whether one of them is leading. */
  private static final class Queue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition full = lock.newCondition();
    private final List<Pending> waiting = new ArrayList<>();
    private boolean leading;

    /** Queues a job; true when the caller must lead (nobody is leading). */
    boolean enqueue(Pending p, int maxBatch) {
      lock.lock();
      try {
        waiting.add(p);
        if (waiting.size() >= maxBatch) {
          full.signalAll();
        }
        if (leading) {
          return false;
        }
        leading = true;
        return true;
      } finally {
        lock.unlock();
      }
    }

    /** Waits until the batch is full or the wait is over, then takes up to maxBatch jobs. */
    List<Pending> awaitBatch(int maxBatch, long maxWaitNanos) throws InterruptedException {
      lock.lock();
      try {
        long left = maxWaitNanos;
        while (waiting.size() < maxBatch && left > 0) {
          left = full.awaitNanos(left);
        }
        List<Pending> batch =
            new ArrayList<>(waiting.subList(0, Math.min(maxBatch, waiting.size())));
        waiting.subList(0, batch.size()).clear();
        return batch;
      } finally {
        lock.unlock();
      }
    }

    /** After a batch: the next waiting job leads, or nobody does. */
    void handOver() {
      lock.lock();
      try {
        if (waiting.isEmpty()) {
          leading = false;
        } else {
          waiting.get(0).leadership.complete(null);
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
