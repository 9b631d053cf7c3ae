package io.credence.indexer;

import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.testkit.TestInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Fresh Credence contracts on the run's anvil, whose court seats juries of 3 for challenges too (so
 * five workers are enough for a challenge and an audit), and a schema of their own, for the indexer
 * under test in {@link CourtIT}.
 */
public class CourtChainResource implements QuarkusTestResourceLifecycleManager {
  static volatile ContractDeployer.Deployment deployment;
  static volatile String schema;

  @Override
  public Map<String, String> start() {
    AnvilNode anvil = TestInfra.anvil();
    ContractDeployer.Court court =
        new ContractDeployer.Court(
            3_600, BigInteger.TEN.pow(16), 10, 2_000, 2_000, 3, 24 * 3_600, 100, 3, 3, 8, 1_000);
    deployment =
        ContractDeployer.deploy(anvil, ContractDeployer.Params.defaults().withCourt(court));
    schema = "indexer_court_" + UUID.randomUUID().toString().substring(0, 8);
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
