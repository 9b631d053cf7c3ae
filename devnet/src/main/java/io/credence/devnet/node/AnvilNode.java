package io.credence.devnet.node;

import io.credence.devnet.Checkout;
import io.credence.devnet.process.ManagedProcess;
import io.credence.devnet.process.Ports;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.MnemonicUtils;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Numeric;

/**
 * A real anvil node: started as a child process, or attached to by URL. Offers the dev accounts
 * (derived from anvil's well-known test mnemonic, never funded outside a devnet) and the anvil RPC
 * methods tests need: snapshots, mining, reorgs.
 */
public final class AnvilNode implements AutoCloseable {
  /** anvil's default test mnemonic; its accounts are public knowledge and only funded locally. */
  public static final String DEV_MNEMONIC =
      "test test test test test test test test test test test junk";

  public static final long DEFAULT_CHAIN_ID = 31337;

  /**
   * How to start anvil.
   *
   * @param port RPC port on 127.0.0.1
   * @param chainId chain id
   * @param log file that receives anvil's output
   * @param stateFile when set, chain state is loaded from and saved to this file
   * @param detached start in its own session, to outlive the launcher (devnet)
   */
  public record Options(int port, long chainId, Path log, Path stateFile, boolean detached) {
    public static Options forTests(Path dir) {
      int port = Ports.free();
      return new Options(
          port, DEFAULT_CHAIN_ID, dir.resolve("anvil-" + port + ".log"), null, false);
    }
  }

  private final String rpcUrl;
  private final long chainId;
  private final ManagedProcess process;
  private final HttpService service;
  private final Web3j web3j;

  private AnvilNode(String rpcUrl, long chainId, ManagedProcess process) {
    this.rpcUrl = rpcUrl;
    this.chainId = chainId;
    this.process = process;
    // a client of our own: web3j's default one adds a body-logging interceptor whenever its logger
    // is at debug, which reads every response into a string (tens of MB for a backfill's
    // eth_getLogs)
    this.service =
        new HttpService(
            rpcUrl, new okhttp3.OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build());
    this.web3j = Web3j.build(service);
  }

  public static AnvilNode start(Options o) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Checkout.anvil().toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(o.port()),
                "--chain-id",
                Long.toString(o.chainId()),
                "--accounts",
                "10",
                "--balance",
                "10000",
                "--mnemonic",
                DEV_MNEMONIC));
    if (o.stateFile() != null) {
      cmd.addAll(List.of("--state", o.stateFile().toString()));
    }
    ManagedProcess p =
        ManagedProcess.start("anvil", cmd, Path.of("."), o.log(), Map.of(), o.detached());
    AnvilNode node = new AnvilNode("http://127.0.0.1:" + o.port(), o.chainId(), p);
    p.awaitReady(Duration.ofSeconds(30), () -> node.blockNumber() >= 0);
    return node;
  }

  /** A node someone else runs; {@link #close()} leaves it running. */
  public static AnvilNode attach(String rpcUrl) {
    AnvilNode probe = new AnvilNode(rpcUrl, 0, null);
    long id = probe.rpcLong("eth_chainId");
    probe.web3j.shutdown();
    return new AnvilNode(rpcUrl, id, null);
  }

  public String rpcUrl() {
    return rpcUrl;
  }

  public long chainId() {
    return chainId;
  }

  public Web3j web3j() {
    return web3j;
  }

  /** Pid of the anvil process, or -1 when attached. */
  public long pid() {
    return process == null ? -1 : process.pid();
  }

  /**
   * Dev account {@code index} (0..9), derived from {@link #DEV_MNEMONIC} at m/44'/60'/0'/0/index.
   */
  public static Credentials devAccount(int index) {
    byte[] seed = MnemonicUtils.generateSeed(DEV_MNEMONIC, "");
    Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(seed);
    int h = Bip32ECKeyPair.HARDENED_BIT;
    int[] path = {44 | h, 60 | h, h, 0, index};
    return Credentials.create(Bip32ECKeyPair.deriveKeyPair(master, path));
  }

  /**
   * A transaction manager for {@code signer} that polls for receipts every 50 ms (web3j's default
   * waits 15 s between polls, far longer than a local node takes to mine).
   */
  public TransactionManager transactionManager(Credentials signer) {
    return new RawTransactionManager(
        web3j, signer, chainId, new PollingTransactionReceiptProcessor(web3j, 50, 1200));
  }

  public long blockNumber() {
    return rpcLong("eth_blockNumber");
  }

  public BigInteger balance(String address) {
    return Numeric.decodeQuantity((String) rpc("eth_getBalance", address, "latest"));
  }

  /**
   * Moves the chain's clock forward without mining (evm_increaseTime): the latest block keeps its
   * timestamp while the next one will be {@code seconds} later, as on a chain that sat idle.
   */
  public void sitIdle(long seconds) {
    rpc("evm_increaseTime", seconds);
  }

  /** Takes a snapshot of the chain (evm_snapshot); returns its id. */
  public String snapshot() {
    return (String) rpc("evm_snapshot");
  }

  /** Goes back to a snapshot (evm_revert); the snapshot is consumed. */
  public void revert(String snapshotId) {
    Object ok = rpc("evm_revert", snapshotId);
    if (!Boolean.TRUE.equals(ok)) {
      throw new IllegalStateException("evm_revert(" + snapshotId + ") returned " + ok);
    }
  }

  /** Mines {@code blocks} empty blocks. */
  public void mine(int blocks) {
    rpc("anvil_mine", Numeric.encodeQuantity(BigInteger.valueOf(blocks)));
  }

  /**
   * Replaces the last {@code depth} blocks with empty ones (anvil_reorg); their transactions are
   * gone.
   */
  public void reorg(int depth) {
    reorg(depth, List.of());
  }

  /**
   * Replaces the last {@code depth} blocks (anvil_reorg) with new ones that carry {@code
   * rawTransactions} (signed, hex) in the first of them: what a real reorg does to the transactions
   * it re-includes.
   */
  public void reorg(int depth, List<String> rawTransactions) {
    rpc("anvil_reorg", depth, rawTransactions.stream().map(raw -> List.of(raw, 0)).toList());
  }

  /** Turns mining of each transaction as it arrives on or off (evm_setAutomine). */
  public void automine(boolean on) {
    rpc("evm_setAutomine", on);
  }

  /** The signed bytes of a mined transaction, hex (eth_getRawTransactionByHash). */
  public String rawTransaction(String hash) {
    return (String) rpc("eth_getRawTransactionByHash", hash);
  }

  /** Moves the chain's clock forward by {@code seconds} and mines a block at the new time. */
  public void increaseTime(long seconds) {
    rpc("evm_increaseTime", seconds);
    mine(1);
  }

  /** Timestamp of the latest block, unix seconds. */
  public long latestTimestamp() {
    try {
      return web3j
          .ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false)
          .send()
          .getBlock()
          .getTimestamp()
          .longValueExact();
    } catch (IOException e) {
      throw new IllegalStateException("eth_getBlockByNumber failed: " + e.getMessage(), e);
    }
  }

  public void setBalance(String address, BigInteger wei) {
    rpc("anvil_setBalance", address, Numeric.encodeQuantity(wei));
  }

  /** Calls any JSON-RPC method; fails with the node's error message. */
  public Object rpc(String method, Object... params) {
    try {
      RawResponse r =
          new Request<>(method, Arrays.asList(params), service, RawResponse.class).send();
      if (r.hasError()) {
        throw new IllegalStateException(method + " failed: " + r.getError().getMessage());
      }
      return r.getResult();
    } catch (IOException e) {
      throw new IllegalStateException(method + " to " + rpcUrl + " failed: " + e.getMessage(), e);
    }
  }

  private long rpcLong(String method) {
    return Numeric.decodeQuantity((String) rpc(method)).longValueExact();
  }

  /** Any JSON result. */
  public static final class RawResponse extends Response<Object> {}

  @Override
  public void close() {
    web3j.shutdown();
    if (process != null) {
      process.stop(Duration.ofSeconds(10));
    }
  }
}
