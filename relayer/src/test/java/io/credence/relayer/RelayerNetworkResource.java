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
    return network.relayerConfig();
  }

  @Override
  public void stop() {
    if (network != null) {
      network.close();
    }
  }
}
