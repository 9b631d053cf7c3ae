package io.credence.relayer.chain;

import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.protocol.chain.ChainConfig;
import io.credence.protocol.keys.SigningKeys;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.relayer.RelayerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;

/**
 * The contracts the relayer talks to, its signing key and the chain's EIP-712 domain, with small
 * caches of what rarely changes (a model's file and hash, whether a signer is an active worker).
 */
@ApplicationScoped
public class Contracts {
  /** A registered model as the relayer needs it for dispatch. */
  public record Model(byte[] hash, String uri, int quorum) {}

  private static final Duration ACTIVE_TTL = Duration.ofSeconds(15);

  private final Web3j web3j;
  private final long chainId;
  private final String hub;
  private final Credentials credentials;
  private final Eip712Domain domain;
  private final InferenceHub hubView;
  private final ModelRegistry registryView;
  private final WorkerRegistry workersView;
  private final Map<Long, Model> models = new ConcurrentHashMap<>();
  private final Map<String, Long> activeUntil = new ConcurrentHashMap<>();

  @Inject
  public Contracts(Web3j web3j, ChainConfig chain, RelayerConfig config) {
    this.web3j = web3j;
    this.chainId = chain.id();
    this.hub = config.hub().toLowerCase(Locale.ROOT);
    RelayerConfig.Key key = config.key();
    this.credentials =
        SigningKeys.load("relayer", key.hex(), key.keystore(), key.password(), "CREDENCE_RELAYER_KEY", "credence.relayer.key");
    this.domain = Eip712Domain.credence(chainId, hub);
    ReadonlyTransactionManager readonly = new ReadonlyTransactionManager(web3j, credentials.getAddress());
    DefaultGasProvider gas = new DefaultGasProvider();
    this.hubView = InferenceHub.load(hub, web3j, readonly, gas);
    this.registryView = ModelRegistry.load(config.modelRegistry(), web3j, readonly, gas);
    this.workersView = WorkerRegistry.load(config.workerRegistry(), web3j, readonly, gas);
  }

  public Web3j web3j() {
    return web3j;
  }

  public long chainId() {
    return chainId;
  }

  public String hub() {
    return hub;
  }

  public Eip712Domain domain() {
    return domain;
  }

  /** The relayer's signing key; never logged (web3j's Credentials print no key). */
  public Credentials credentials() {
    return credentials;
  }

  public String wallet() {
    return credentials.getAddress();
  }

  public InferenceHub hubView() {
    return hubView;
  }

  /** A model's file, hash and quorum, from the ModelRegistry (cached: they do not change). */
  public Model model(long modelId) throws IOException {
    Model cached = models.get(modelId);
    if (cached != null) {
      return cached;
    }
    try {
      ModelRegistry.Model m = registryView.model(BigInteger.valueOf(modelId)).send();
      Model model = new Model(m.sha256, m.uri, m.quorum.intValueExact());
      models.put(modelId, model);
      return model;
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("reading model " + modelId + " from the ModelRegistry failed: " + e.getMessage(), e);
    }
  }

  /** Whether {@code signer} is an active worker key (positive answers cached for 15 s). */
  public boolean isActiveWorker(String signer) throws IOException {
    String key = signer.toLowerCase(Locale.ROOT);
    Long until = activeUntil.get(key);
    if (until != null && until > System.nanoTime()) {
      return true;
    }
    try {
      boolean active = workersView.isActive(key).send();
      if (active) {
        activeUntil.put(key, System.nanoTime() + ACTIVE_TTL.toNanos());
      }
      return active;
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("asking the WorkerRegistry about " + key + " failed: " + e.getMessage(), e);
    }
  }

  /** Whether the hub still holds the request's escrow. */
  public boolean isPending(long requestId) throws IOException {
    try {
      return hubView.isPending(BigInteger.valueOf(requestId)).send();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("isPending(" + requestId + ") failed: " + e.getMessage(), e);
    }
  }

  /** The timestamp of the latest block: deadlines are judged by chain time, not the local clock. */
  public long chainTime() throws IOException {
    return web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getTimestamp().longValueExact();
  }
}
