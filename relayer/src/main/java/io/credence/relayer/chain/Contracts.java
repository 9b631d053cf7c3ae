package io.credence.relayer.chain;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.protocol.chain.ChainConfig;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.keys.SigningKeys;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.relayer.RelayerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

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
  private final String modelRegistry;
  private final WorkerRegistry workersView;
  private final String court;
  private final DisputeCourt courtView;
  private final Map<Long, Model> models = new ConcurrentHashMap<>();
  private final Map<String, Long> activeUntil = new ConcurrentHashMap<>();

  @Inject
  public Contracts(Web3j web3j, ChainConfig chain, RelayerConfig config) {
    this.web3j = web3j;
    this.chainId = chain.id();
    this.hub = config.hub().toLowerCase(Locale.ROOT);
    RelayerConfig.Key key = config.key();
    this.credentials =
        SigningKeys.load(
            "relayer",
            key.hex(),
            key.keystore(),
            key.password(),
            "CREDENCE_RELAYER_KEY",
            "credence.relayer.key");
    this.domain = Eip712Domain.credence(chainId, hub);
    ReadonlyTransactionManager readonly =
        new ReadonlyTransactionManager(web3j, credentials.getAddress());
    DefaultGasProvider gas = new DefaultGasProvider();
    this.hubView = InferenceHub.load(hub, web3j, readonly, gas);
    this.modelRegistry = config.modelRegistry();
    this.workersView = WorkerRegistry.load(config.workerRegistry(), web3j, readonly, gas);
    this.court = config.court().map(a -> a.toLowerCase(Locale.ROOT)).orElse(null);
    this.courtView = court == null ? null : DisputeCourt.load(court, web3j, readonly, gas);
  }

  /** The DisputeCourt's address, when the relayer works it. */
  public Optional<String> court() {
    return Optional.ofNullable(court);
  }

  /** The DisputeCourt, for views (only when {@link #court()} is present). */
  public DisputeCourt courtView() {
    if (courtView == null) {
      throw new IllegalStateException("no DisputeCourt configured (credence.relayer.court)");
    }
    return courtView;
  }

  /** The latest block's number. */
  public long head() throws IOException {
    return web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
  }

  /**
   * The timestamp of the block with this hash: by hash, not number, so that a reorg between reading
   * a log and asking cannot give another block's time.
   */
  public long blockTime(String blockHash) throws IOException {
    var block = web3j.ethGetBlockByHash(blockHash, false).send().getBlock();
    if (block == null) {
      throw new IOException("block " + blockHash + " is gone (a reorg): read again");
    }
    return block.getTimestamp().longValueExact();
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
    // web3j 4.14's generated struct decoder fails on Model (a dynamic struct): decode the words
    // here
    String data =
        FunctionEncoder.encode(
            new Function(ModelRegistry.FUNC_MODEL, List.<Type>of(new Uint256(modelId)), List.of()));
    EthCall call =
        web3j
            .ethCall(
                Transaction.createEthCallTransaction(null, modelRegistry, data),
                DefaultBlockParameterName.LATEST)
            .send();
    if (call.hasError() || call.isReverted()) {
      throw new IOException(
          "reading model "
              + modelId
              + " from the ModelRegistry failed: "
              + (call.hasError() ? call.getError().getMessage() : call.getRevertReason()));
    }
    byte[] out = Numeric.hexStringToByteArray(call.getValue());
    int base = word(out, 0).intValueExact();
    byte[] hash = java.util.Arrays.copyOfRange(out, base, base + 32);
    int quorum = word(out, base + 3 * 32).intValueExact();
    int uriAt = base + word(out, base + 7 * 32).intValueExact();
    int uriLength = word(out, uriAt).intValueExact();
    String uri = new String(out, uriAt + 32, uriLength, java.nio.charset.StandardCharsets.UTF_8);
    if (quorum == 0) {
      throw new IOException("model " + modelId + " is not registered in the ModelRegistry");
    }
    Model model = new Model(hash, uri, quorum);
    models.put(modelId, model);
    return model;
  }

  private static BigInteger word(byte[] abi, int offset) {
    return new BigInteger(1, java.util.Arrays.copyOfRange(abi, offset, offset + 32));
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
      throw new IOException(
          "asking the WorkerRegistry about " + key + " failed: " + e.getMessage(), e);
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

  /**
   * The timestamp the next block will have: deadlines are judged by chain time, not the local
   * clock, and by the block a transaction sent now lands in, not the latest one (on a chain that
   * mines only on demand the latest block may be hours old, and a request long past its deadline
   * would wait for an unrelated block to be expired).
   */
  public long chainTime() throws IOException {
    return new ChainTime(web3j).nextBlockTimestamp();
  }
}
