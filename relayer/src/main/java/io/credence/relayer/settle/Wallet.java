package io.credence.relayer.settle;

import io.credence.contracts.InferenceHub;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.model.TxKind;
import io.credence.relayer.settle.NodeErrors.Refusal;
import io.credence.relayer.store.NonceLedger;
import io.credence.relayer.store.TxStore;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.utils.Numeric;

/**
 * The relayer's signing wallet: one key, nonces from the {@link NonceLedger}, fees from the {@link
 * FeePolicy}, every signed transaction stored ({@link TxStore}) before it is sent. What happens to
 * a transaction after it is sent is the {@link TransactionTracker}'s job.
 *
 * <p>Used by the engine's one thread only (the settler and the tracker), except the balance, which
 * readiness and metrics read.
 */
public class Wallet {
  private static final Logger LOG = Logger.getLogger(Wallet.class);

  /** Gas estimate, or the node's reason for refusing the call. */
  public record Estimate(BigInteger gas, String revert) {}

  private final Web3j web3j;
  private final long chainId;
  private final String hub;
  private final Credentials credentials;
  private final String address;
  private final NonceLedger nonces;
  private final TxStore txs;
  private final FeePolicy fees;
  private final RelayerMetrics metrics;
  private final BigInteger lowBalance;
  private final Duration dryPause;
  private volatile BigInteger balance = BigInteger.ZERO;
  private volatile long dryUntil;

  /**
   * @param lowBalance below this the wallet warns
   * @param dryPause how long sending stops after the node said the wallet cannot pay
   */
  public Wallet(
      Web3j web3j,
      long chainId,
      String hub,
      Credentials credentials,
      NonceLedger nonces,
      TxStore txs,
      FeePolicy fees,
      RelayerMetrics metrics,
      BigInteger lowBalance,
      Duration dryPause) {
    this.web3j = web3j;
    this.chainId = chainId;
    this.hub = hub;
    this.credentials = credentials;
    this.address = credentials.getAddress().toLowerCase(Locale.ROOT);
    this.nonces = nonces;
    this.txs = txs;
    this.fees = fees;
    this.metrics = metrics;
    this.lowBalance = lowBalance;
    this.dryPause = dryPause;
    metrics.walletBalance(() -> balance);
  }

  public String address() {
    return address;
  }

  public BigInteger balance() {
    return balance;
  }

  /** False for a while after the node said the wallet cannot pay. */
  public boolean canSend() {
    return System.nanoTime() - dryUntil > 0;
  }

  /** Reads the balance, warns when it is low; called every few seconds. */
  public void checkBalance() throws IOException {
    balance = web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST).send().getBalance();
    if (balance.compareTo(lowBalance) < 0) {
      LOG.warnf(
          "relayer wallet %s is low: %s wei (warning below %s); fund it or settlements stop when it runs dry",
          address, balance, lowBalance);
    }
  }

  /**
   * The chain's count of the wallet's transactions, pending ones included: the next free nonce as
   * the node sees it.
   */
  long chainPendingNonce() throws IOException {
    return web3j
        .ethGetTransactionCount(address, DefaultBlockParameterName.PENDING)
        .send()
        .getTransactionCount()
        .longValueExact();
  }

  /**
   * Makes the stored next nonce at least the chain's (a key also used elsewhere, a fresh database).
   */
  public void syncNonce() throws IOException {
    nonces.sync(address, chainPendingNonce());
  }

  /** Gas a claim of the wallet's credits takes, about: a claim costs at most 1 % of its amount. */
  private static final BigInteger CLAIM_GAS_X100 = BigInteger.valueOf(100 * 60_000L);

  /**
   * Claims what the hub holds for the wallet (the gas requests paid back) once it is at least
   * {@code above} and a hundred times what the claim itself costs now (nobody pays a claim back),
   * unless a claim is still on its way.
   *
   * @return whether a claim was sent
   */
  public boolean claimCredits(BigInteger above) throws IOException {
    if (!canSend() || txs.hasOpen(address, TxKind.CLAIM)) {
      return false;
    }
    above = above.max(CLAIM_GAS_X100.multiply(price()));
    String call =
        FunctionEncoder.encode(
            new Function(InferenceHub.FUNC_BALANCEOF, List.of(new Address(address)), List.of()));
    BigInteger credits = call(hub, call).map(Numeric::toBigInt).orElse(BigInteger.ZERO);
    if (credits.signum() == 0 || credits.compareTo(above) < 0) {
      return false;
    }
    String data = FunctionEncoder.encode(new Function("claim", List.of(), List.of()));
    Estimate e = estimate(data);
    if (e.revert() != null) {
      LOG.warnf("the hub refuses the wallet's claim of %s wei: %s", credits, e.revert());
      return false;
    }
    LOG.infof("claiming %s wei of gas paid back by requests' allowances", credits);
    send(TxKind.CLAIM, data, Settler.gasLimit(e.gas()), List.of());
    return true;
  }

  /** What gas costs a transaction sent now, per gas ({@link FeePolicy#price}). */
  public BigInteger price() throws IOException {
    return fees.price(FeePolicy.baseFee(web3j));
  }

  /** What a call to {@code to} returns now (0x-hex), or empty when it reverts. */
  public Optional<String> call(String to, String data) throws IOException {
    var r =
        web3j
            .ethCall(
                Transaction.createEthCallTransaction(address, to, data),
                DefaultBlockParameterName.LATEST)
            .send();
    return r.hasError() || r.isReverted() || r.getValue() == null || r.getValue().equals("0x")
        ? Optional.empty()
        : Optional.of(r.getValue());
  }

  /** Estimates a call to the hub; a revert comes back as its reason instead of an exception. */
  public Estimate estimate(String data) throws IOException {
    return estimate(hub, data);
  }

  /** Estimates a call to {@code to}; a revert comes back as its reason instead of an exception. */
  public Estimate estimate(String to, String data) throws IOException {
    EthEstimateGas e =
        web3j.ethEstimateGas(Transaction.createEthCallTransaction(address, to, data)).send();
    if (e.hasError()) {
      String why =
          e.getError().getMessage()
              + (e.getError().getData() == null ? "" : " " + e.getError().getData());
      return new Estimate(null, why);
    }
    return new Estimate(e.getAmountUsed(), null);
  }

  /**
   * Signs and sends a call to the hub for {@code requestIds}, which become SUBMITTED (EXPIRING for
   * an expiry) under this transaction in the same database transaction that takes the nonce.
   */
  public void send(TxKind kind, String data, BigInteger gasLimit, List<Long> requestIds)
      throws IOException {
    send(kind, hub, data, gasLimit, requestIds);
  }

  /**
   * Signs and sends a call to {@code to} (the hub, or the DisputeCourt with no requests), as {@link
   * #send(TxKind, String, BigInteger, List)} does.
   */
  public void send(TxKind kind, String to, String data, BigInteger gasLimit, List<Long> requestIds)
      throws IOException {
    send(kind, to, data, gasLimit, requestIds, TxStore.Carries.NOTHING);
  }

  /**
   * Signs and sends a call to {@code to}; {@code carries} records what else the transaction carries
   * in the database transaction that stores it (a signed request's row).
   *
   * @return the stored transaction's id
   */
  public long send(
      TxKind kind,
      String to,
      String data,
      BigInteger gasLimit,
      List<Long> requestIds,
      TxStore.Carries carries)
      throws IOException {
    FeePolicy.Fees f = fees.current(web3j);
    long txId =
        txs.record(
            kind,
            address,
            to,
            Numeric.hexStringToByteArray(data),
            gasLimit,
            f.maxFee(),
            f.tip(),
            requestIds,
            nonce -> sign(nonce, to, data, gasLimit, f),
            carries);
    metrics.txSent(kind.tag());
    TxStore.Tx tx = txs.load(txId).orElseThrow();
    Refusal refusal = broadcast(tx.hash(), tx.raw());
    if (refusal != Refusal.NONE) {
      drop(txId, refusal.name());
    }
    return txId;
  }

  /**
   * Sends signed bytes; a refusal for lack of funds pauses sending for {@code dryPause}, so a dry
   * wallet is not asked to pay every round.
   */
  Refusal broadcast(String hash, byte[] raw) throws IOException {
    Refusal r = sendRaw(raw);
    if (r == Refusal.INSUFFICIENT_FUNDS) {
      dryUntil = System.nanoTime() + dryPause.toNanos();
      metrics.walletDry();
      LOG.errorf(
          "relayer wallet %s cannot pay for transaction %s (balance %s wei): fund it; settlements wait until then (docs/relayer.md)",
          address, hash, balance);
    }
    return r;
  }

  /** Sends signed bytes and says what the node made of them. */
  Refusal sendRaw(byte[] raw) throws IOException {
    EthSendTransaction r = web3j.ethSendRawTransaction(Numeric.toHexString(raw)).send();
    Refusal refusal = NodeErrors.classify(r.getError());
    if (refusal != Refusal.NONE && refusal != Refusal.INSUFFICIENT_FUNDS) {
      LOG.warnf("node refused a transaction: %s", r.getError().getMessage());
    }
    return refusal;
  }

  /**
   * A transaction that will not be mined: dropped, its requests back to the queue, and its nonce
   * handed back when it was the last one taken (otherwise the tracker fills the gap).
   */
  void drop(long txId, String why) throws IOException {
    txs.drop(txId, why);
    nonces.afterDrop(address, chainPendingNonce());
  }

  /** Signs a transaction of this wallet (EIP-1559, value 0). */
  TxStore.Signed sign(long nonce, String to, String data, BigInteger gasLimit, FeePolicy.Fees f) {
    RawTransaction raw =
        RawTransaction.createTransaction(
            chainId,
            BigInteger.valueOf(nonce),
            gasLimit,
            to,
            BigInteger.ZERO,
            data,
            f.tip(),
            f.maxFee());
    byte[] signed = TransactionEncoder.signMessage(raw, credentials);
    return new TxStore.Signed(Numeric.toHexString(Hash.sha3(signed)), signed);
  }
}
