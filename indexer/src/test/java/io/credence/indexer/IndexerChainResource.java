package io.credence.indexer;

import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.testkit.TestInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Fresh Credence contracts on the run's anvil, and a schema of its own, for the indexer under test.
 */
public class IndexerChainResource implements QuarkusTestResourceLifecycleManager {
  static volatile ContractDeployer.Deployment deployment;
  static volatile String schema;

  @Override
  public Map<String, String> start() {
    AnvilNode anvil = TestInfra.anvil();
    deployment = ContractDeployer.deploy(anvil);
    schema = "indexer_it_" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> c = new HashMap<>();
    c.put("credence.chain.rpc-url", anvil.rpcUrl());
    c.put("credence.chain.id", Long.toString(anvil.chainId()));
    c.put("credence.indexer.hub", deployment.inferenceHub().getContractAddress());
    c.put("credence.indexer.model-registry", deployment.modelRegistry().getContractAddress());
    c.put("credence.indexer.worker-registry", deployment.workerRegistry().getContractAddress());
    c.put("credence.indexer.dispute-court", deployment.disputeCourt().getContractAddress());
    c.put("credence.indexer.chain.start-block", Long.toString(deployment.startBlock()));
    c.put("credence.indexer.chain.poll-interval", "50ms");
    c.put("credence.indexer.db-schema", schema);
    c.putAll(TestInfra.postgres().quarkusConfig());
    return c;
  }

  @Override
  public void stop() {}
}
