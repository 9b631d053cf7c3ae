package io.credence.worker;

import io.credence.protocol.chain.ChainConfig;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.worker.config.WorkerConfig;
import io.credence.worker.exec.Batcher;
import io.credence.worker.exec.InferenceEngine;
import io.credence.worker.exec.ModelRunner;
import io.credence.worker.jobs.JobHandler;
import io.credence.worker.jobs.ResultStore;
import io.credence.worker.jury.Juror;
import io.credence.worker.lying.Liar;
import io.credence.worker.model.ModelStore;
import io.credence.worker.model.SessionCache;
import io.credence.worker.signing.WorkerKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;

/** Builds the worker's parts from its configuration. */
public class WorkerBeans {
  @Produces
  @Singleton
  ReceiptSigner signer(WorkerConfig config) {
    return new ReceiptSigner(WorkerKeys.load(config.key()));
  }

  @Produces
  @Singleton
  ModelStore modelStore(WorkerConfig config) {
    WorkerConfig.Models m = config.models();
    return new ModelStore(
        Path.of(m.cacheDir()), Path.of(m.fileRoot()), m.maxBytes(), m.fetchTimeout());
  }

  @Produces
  @Singleton
  SessionCache sessions(WorkerConfig config, ModelStore store) {
    WorkerConfig.Runtime r = config.runtime();
    return new SessionCache(
        store, config.models().maxSessions(), r.provider(), r.cudaDevice(), r.intraOpThreads());
  }

  void close(@Disposes SessionCache sessions) {
    sessions.close();
  }

  @Produces
  @Singleton
  ModelRunner runner(WorkerConfig config, SessionCache sessions, MeterRegistry meters) {
    InferenceEngine engine = new InferenceEngine(config.limits().maxInputElements());
    DistributionSummary batchSizes =
        DistributionSummary.builder("credence_worker_batch_size")
            .description("jobs per session.run")
            .publishPercentileHistogram()
            .register(meters);
    Batcher batcher =
        new Batcher(
            engine, config.batching().maxBatch(), config.batching().maxWait(), batchSizes::record);
    return new ModelRunner(sessions, engine, batcher, config.limits().maxInputBytes());
  }

  @Produces
  @Singleton
  Liar liar(WorkerConfig config, ReceiptSigner signer, MeterRegistry meters) {
    WorkerConfig.Lie lie = config.lie();
    if (lie.rate() <= 0) {
      return Liar.honest(signer.address());
    }
    Counter lies =
        Counter.builder("credence_worker_lies_total")
            .description(
                "outputs this worker changed on purpose (the lying switch; test/demo only)")
            .register(meters);
    return new Liar(lie.rate(), lie.withinTolerance(), signer.address(), lies::increment);
  }

  @Produces
  @Singleton
  JobHandler handler(
      WorkerConfig config, ChainConfig chain, ReceiptSigner signer, ModelRunner runner, Liar liar) {
    return new JobHandler(
        chain.id(),
        config.hub(),
        signer,
        runner,
        liar,
        new ResultStore(Path.of(config.resultsDir()), config.resultsFsync()),
        Clock.systemUTC());
  }

  @Produces
  @Singleton
  Juror juror(
      WorkerConfig config, ChainConfig chain, ReceiptSigner signer, ModelRunner runner, Liar liar) {
    return new Juror(chain.id(), config.hub(), signer, runner, liar);
  }
}
