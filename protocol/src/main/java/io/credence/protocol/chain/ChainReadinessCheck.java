package io.credence.protocol.chain;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.web3j.protocol.Web3j;

/**
 * Ready when the node answers and reports the configured chain id. A wrong chain id is DOWN with
 * both ids in the response, so an operator sees a misconfigured RPC URL at once.
 */
@Readiness
@ApplicationScoped
public class ChainReadinessCheck implements HealthCheck {
  private final Web3j web3j;
  private final ChainConfig config;

  public ChainReadinessCheck(Web3j web3j, ChainConfig config) {
    this.web3j = web3j;
    this.config = config;
  }

  @Override
  public HealthCheckResponse call() {
    var response = HealthCheckResponse.named("chain").withData("expectedChainId", config.id());
    try {
      long chainId = web3j.ethChainId().send().getChainId().longValueExact();
      long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
      response.withData("chainId", chainId).withData("head", head);
      if (chainId != config.id()) {
        return response
            .down()
            .withData("error", "node reports chain " + chainId + ", expected " + config.id())
            .build();
      }
      return response.up().build();
    } catch (Exception e) {
      return response.down().withData("error", "node does not answer: " + e.getMessage()).build();
    }
  }
}
