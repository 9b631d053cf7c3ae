package io.credence.relayer;

import io.credence.testkit.network.LocalNetwork;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Gives the relayer under test a {@link LocalNetwork} with two running workers. */
public class RelayerNetworkResource implements QuarkusTestResourceLifecycleManager {
  static volatile LocalNetwork network;

  @Override
  public Map<String, String> start() {
    network = LocalNetwork.create("relayer-it");
    network.startWorker(0);
    network.startWorker(1);
    Map<String, String> config = new java.util.HashMap<>(network.relayerConfig());
    // the oldest ready receipt waits up to 3 s for a fuller batch (200 ms by default): results that
    // a
    // loaded machine delivers a little apart still share a transaction, as the batching test
    // expects
    config.put("credence.relayer.settlement.max-wait", "3s");
    return config;
  }

  @Override
  public void stop() {
    if (network != null) {
      network.close();
    }
  }
}
