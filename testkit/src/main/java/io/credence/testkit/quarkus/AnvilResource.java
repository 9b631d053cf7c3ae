package io.credence.testkit.quarkus;

import io.credence.devnet.node.AnvilNode;
import io.credence.testkit.TestInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Gives a Quarkus application under test the run's anvil node as {@code credence.chain.rpc-url} and
 * {@code credence.chain.id}. The node is shared, so {@link #stop()} leaves it running.
 */
public class AnvilResource implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    AnvilNode anvil = TestInfra.anvil();
    return Map.of(
        "credence.chain.rpc-url",
        anvil.rpcUrl(),
        "credence.chain.id",
        Long.toString(anvil.chainId()));
  }

  @Override
  public void stop() {}
}
