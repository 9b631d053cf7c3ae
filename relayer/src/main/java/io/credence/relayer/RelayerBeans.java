package io.credence.relayer;

import io.credence.relayer.chain.Contracts;
import io.credence.relayer.settle.FeePolicy;
import io.credence.relayer.settle.TransactionTracker;
import io.credence.relayer.settle.Wallet;
import io.credence.relayer.store.NonceLedger;
import io.credence.relayer.store.RequestStore;
import io.credence.relayer.store.TxStore;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Builds the wallet's parts from the configuration, once: plain classes, unit-tested without
 * Quarkus (see their tests), wired here.
 */
public class RelayerBeans {
  @Produces
  @Singleton
  FeePolicy fees(RelayerConfig config) {
    RelayerConfig.Settlement s = config.settlement();
    return new FeePolicy(s.maxFeePerGas(), s.priorityFeePerGas(), s.feeBumpPercent());
  }

  @Produces
  @Singleton
  Wallet wallet(
      Contracts contracts,
      NonceLedger nonces,
      TxStore txs,
      FeePolicy fees,
      RelayerMetrics metrics,
      RelayerConfig config) {
    RelayerConfig.Settlement s = config.settlement();
    return new Wallet(
        contracts.web3j(),
        contracts.chainId(),
        contracts.hub(),
        contracts.credentials(),
        nonces,
        txs,
        fees,
        metrics,
        s.lowBalance(),
        s.dryPause());
  }

  @Produces
  @Singleton
  TransactionTracker tracker(
      Contracts contracts,
      Wallet wallet,
      TxStore txs,
      NonceLedger nonces,
      FeePolicy fees,
      RelayerMetrics metrics,
      RequestStore requests,
      RelayerConfig config) {
    return new TransactionTracker(
        contracts.web3j(),
        wallet,
        txs,
        nonces,
        fees,
        metrics,
        contracts.hub(),
        config.chain().confirmations(),
        config.settlement().stuckAfter(),
        Clock.systemUTC(),
        () -> requests.checkpoints().last().map(b -> b.number()).orElse(-1L));
  }
}
