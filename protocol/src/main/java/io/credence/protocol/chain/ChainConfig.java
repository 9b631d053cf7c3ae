package io.credence.protocol.chain;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Which chain a service talks to. Documented in docs/operations.md. */
@ConfigMapping(prefix = "credence.chain")
public interface ChainConfig {
  /** JSON-RPC endpoint of the Ethereum node. */
  @WithDefault("http://127.0.0.1:8545")
  String rpcUrl();

  /** The chain id the service expects; readiness fails when the node reports another. */
  @WithDefault("31337")
  long id();

  /** Timeout of one JSON-RPC call. */
  @WithDefault("10s")
  Duration timeout();
}
