package io.credence.protocol.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.process.Ports;
import io.credence.testkit.junit.WithAnvil;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

@WithAnvil
class ChainReadinessCheckIT {

  record Config(String rpcUrl, long id, Duration timeout) implements ChainConfig {}

  private static HealthCheckResponse check(String rpcUrl, long chainId) {
    Config config = new Config(rpcUrl, chainId, Duration.ofSeconds(2));
    var web3j = new ChainClientProducer().web3j(config);
    try {
      return new ChainReadinessCheck(web3j, config).call();
    } finally {
      web3j.shutdown();
    }
  }

  @Test
  void upWhenTheNodeAnswersWithTheExpectedChain(AnvilNode anvil) {
    HealthCheckResponse r = check(anvil.rpcUrl(), anvil.chainId());
    assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    assertThat(r.getData().orElseThrow())
        .containsEntry("chainId", anvil.chainId())
        .containsKey("head");
  }

  @Test
  void downWhenTheNodeIsOnAnotherChain(AnvilNode anvil) {
    HealthCheckResponse r = check(anvil.rpcUrl(), 1);
    assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(r.getData().orElseThrow().get("error"))
        .asString()
        .contains("node reports chain 31337, expected 1");
  }

  @Test
  void downWhenNothingAnswers() {
    HealthCheckResponse r = check("http://127.0.0.1:" + Ports.free(), 31337);
    assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(r.getData().orElseThrow().get("error"))
        .asString()
        .startsWith("node does not answer");
  }
}
