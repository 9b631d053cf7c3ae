package io.credence.worker;

import io.credence.protocol.chain.ChainConfig;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.worker.config.WorkerConfig;
import io.credence.worker.exec.Batcher;
import io.credence.worker.exec.InferenceEngine;
import io.credence.worker.jobs.JobHandler;
import io.credence.worker.jobs.ResultStore;
import io.credence.worker.model.ModelStore;
import io.credence.worker.model.SessionCache;
import io.credence.worker.signing.WorkerKeys;
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
  JobHandler handler(
      WorkerConfig config,
      ChainConfig chain,
      ReceiptSigner signer,
      SessionCache sessions,
      MeterRegistry meters) {
    InferenceEngine engine = new InferenceEngine(config.limits().maxInputElements());
    DistributionSummary batchSizes =
        DistributionSummary.builder("credence_worker_batch_size")
            .description("jobs per session.run")
            .publishPercentileHistogram()
            .register(meters);
    Batcher batcher =
        new Batcher(
            engine, config.batching().maxBatch(), config.batching().maxWait(), batchSizes::record);
    return new JobHandler(
        chain.id(),
        config.hub(),
        signer,
        sessions,
        engine,
        batcher,
        new ResultStore(Path.of(config.resultsDir()), config.resultsFsync()),
        config.limits().maxInputBytes(),
        Clock.systemUTC());
  }
}
