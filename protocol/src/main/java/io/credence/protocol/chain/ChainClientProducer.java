package io.credence.protocol.chain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import okhttp3.OkHttpClient;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/** Produces the service's one {@link Web3j} client for {@link ChainConfig#rpcUrl()}. */
@ApplicationScoped
public class ChainClientProducer {
  @Produces
  @Singleton
  Web3j web3j(ChainConfig config) {
    OkHttpClient http =
        new OkHttpClient.Builder()
            .connectTimeout(config.timeout())
            .readTimeout(config.timeout())
            .writeTimeout(config.timeout())
            .build();
    return Web3j.build(new HttpService(config.rpcUrl(), http));
  }

  void close(@Disposes Web3j web3j) {
    web3j.shutdown();
  }
}
