package io.credence.relayer.settle;

import io.credence.contracts.InferenceHub;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.model.TxKind;
import io.credence.relayer.model.TxState;
import io.credence.relayer.settle.NodeErrors.Refusal;
import io.credence.relayer.store.NonceLedger;
import io.credence.relayer.store.TxStore;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Follows every transaction the wallet sent until the chain confirms it: records it mined (or
 * reverted, releasing its requests), resends what the node forgot, replaces what is stuck with
 * higher fees under the same nonce ({@link FeePolicy#bump}), drops what can no longer be mined (its
 * nonce taken by another, its requests changed in a reorg), and fills nonce gaps that would block
 * every later transaction.
 */
public class TransactionTracker {
  private static final Logger LOG = Logger.getLogger(TransactionTracker.class);
  private static final String SKIPPED = EventEncoder.encode(InferenceHub.RECEIPTSKIPPED_EVENT);
  private static final String SETTLED = EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT);
  private static final String FAILED = EventEncoder.encode(InferenceHub.INFERENCEFAILED_EVENT);
  private static final String REIMBURSED = EventEncoder.encode(InferenceHub.GASREIMBURSED_EVENT);
  private static final String PROTOCOL_PAID = EventEncoder.encode(InferenceHub.PROTOCOLPAID_EVENT);

  /** {@code ReceiptSkipped} reason: the request's deadline had passed (InferenceHub.SkipReason). */
  private static final int SKIPPED_DEADLINE_PASSED = 2;

  /** Gas of a plain transfer: what a gap filler (an empty transfer to itself) costs. */
  static final BigInteger GAP_GAS = BigInteger.valueOf(21_000);

  private final Web3j web3j;
  private final Wallet wallet;
  private final TxStore txs;
  private final NonceLedger nonces;
  private final FeePolicy fees;
  private final RelayerMetrics metrics;
  private final String hub;
  private final int confirmations;
  private final Duration stuckAfter;
  private final Clock clock;
  private final LongSupplier listenerCursor;

  /**
   * @param confirmations blocks on top of a mined transaction before it is final
   * @param stuckAfter an unmined transaction is replaced after this
   * @param listenerCursor the last block the chain listener processed (-1 before the first)
   */
  public TransactionTracker(
      Web3j web3j,
      Wallet wallet,
      TxStore txs,
      NonceLedger nonces,
      FeePolicy fees,
      RelayerMetrics metrics,
      String hub,
      int confirmations,
      Duration stuckAfter,
      Clock clock,
      LongSupplier listenerCursor) {
    this.web3j = web3j;
    this.wallet = wallet;
    this.txs = txs;
    this.nonces = nonces;
    this.fees = fees;
    this.metrics = metrics;
    this.hub = hub;
    this.confirmations = confirmations;
    this.stuckAfter = stuckAfter;
    this.clock = clock;
    this.listenerCursor = listenerCursor;
  }

  /** Follows every transaction not yet final, then fills nonce gaps. */
  public void track() throws IOException {
    List<Long> open = txs.open(wallet.address());
    if (open.isEmpty()) {
      return;
    }
    long latestNonce =
        web3j
            .ethGetTransactionCount(wallet.address(), DefaultBlockParameterName.LATEST)
            .send()
            .getTransactionCount()
            .longValueExact();
    long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
    long listened = listenerCursor.getAsLong();
    for (long id : open) {
      track(txs.load(id).orElseThrow(), latestNonce, head, listened);
    }
    repairGaps(latestNonce);
  }

  /**
   * Whether the node still has the transaction in a block: a missing receipt alone does not make a
   * reorg (a node may lag on receipts), the transaction out of every block does.
   */
  private boolean inABlock(String hash) throws IOException {
    return web3j
        .ethGetTransactionByHash(hash)
        .send()
        .getTransaction()
        .map(t -> t.getBlockHash() != null && !t.getBlockHash().matches("0x0*"))
        .orElse(false);
  }

  private void track(TxStore.Tx tx, long latestNonce, long head, long listened) throws IOException {
    if (tx.state() == TxState.MINED) {
      // its receipt is read again until it is final: a reorg of blocks the listener has not read
      // yet
      // is seen only here (the listener unmines what was in the blocks it read)
      Optional<TransactionReceipt> receipt =
          web3j.ethGetTransactionReceipt(tx.minedHash()).send().getTransactionReceipt();
      if (receipt.isEmpty() && inABlock(tx.minedHash())) {
        return; // a node behind on receipts (or one of several behind a balancer): read it again
      }
      if (receipt.isEmpty()) {
        LOG.infof(
            "transaction %s (nonce %d) is no longer in a block (a reorg): followed as unmined again",
            tx.minedHash(), tx.nonce());
        txs.unmined(tx.id());
        return;
      }
      long block = receipt.get().getBlockNumber().longValueExact();
      if (block != tx.minedBlock()) {
        txs.movedTo(tx.id(), block);
      }
      // final only once the listener read its block too, so that a later reorg of it reaches the
      // listener's rewind
      if (head - block >= confirmations && block <= listened) {
        txs.confirmed(tx.id());
      }
      return;
    }
    for (String h : tx.hashes()) {
      Optional<TransactionReceipt> receipt =
          web3j.ethGetTransactionReceipt(h).send().getTransactionReceipt();
      if (receipt.isPresent()) {
        mined(tx, receipt.get());
        return;
      }
    }
    if (tx.nonce() < latestNonce) {
      LOG.warnf(
          "transaction %s (nonce %d) was not mined but its nonce was used by another; its requests go back to the queue",
          tx.hash(), tx.nonce());
      wallet.drop(tx.id(), "nonce taken by another transaction");
      return;
    }
    if (tx.kind() != TxKind.GAP && txs.stale(tx.id())) {
      LOG.infof(
          "transaction %s (nonce %d) settles requests a reorg took away or changed; dropped, the rest go back to the queue",
          tx.hash(), tx.nonce());
      wallet.drop(tx.id(), "its requests changed in a reorg");
      return;
    }
    if (tx.sentAt().plus(stuckAfter).isBefore(clock.instant())) {
      replace(tx);
    } else if (web3j.ethGetTransactionByHash(tx.hash()).send().getTransaction().isEmpty()) {
      LOG.infof(
          "node does not know transaction %s (nonce %d): sending it again", tx.hash(), tx.nonce());
      if (wallet.broadcast(tx.hash(), tx.raw()) == Refusal.NONCE_TOO_LOW) {
        wallet.drop(tx.id(), "nonce too low on resend");
      }
    }
  }

  private void mined(TxStore.Tx tx, TransactionReceipt receipt) {
    boolean ok = receipt.isStatusOK();
    int closed = 0;
    BigInteger credited = BigInteger.ZERO;
    List<Long> deadlinePassed = new ArrayList<>();
    for (Log log : receipt.getLogs()) {
      if (log.getTopics().isEmpty() || !log.getAddress().equalsIgnoreCase(hub)) {
        continue;
      }
      String topic = log.getTopics().get(0);
      if (SETTLED.equals(topic) || FAILED.equals(topic)) {
        closed++;
      } else if (REIMBURSED.equals(topic)) {
        var e = InferenceHub.getGasReimbursedEventFromLog(log);
        if (e.submitter.equalsIgnoreCase(wallet.address())) {
          credited = credited.add(e.credited);
        }
      } else if (PROTOCOL_PAID.equals(topic)) {
        // the court paying back a court transaction's gas from the protocol's share
        var e = InferenceHub.getProtocolPaidEventFromLog(log);
        if (e.account.equalsIgnoreCase(wallet.address())) {
          credited = credited.add(e.fromAccrued).add(e.fromTreasury);
        }
      } else if (SKIPPED.equals(topic)) {
        var e = InferenceHub.getReceiptSkippedEventFromLog(log);
        if (e.reason.intValue() == SKIPPED_DEADLINE_PASSED) {
          deadlinePassed.add(e.requestId.longValueExact());
        }
      }
    }
    long gasUsed = receipt.getGasUsed().longValueExact();
    BigInteger spent =
        receipt.getEffectiveGasPrice() == null
            ? BigInteger.ZERO
            : receipt.getGasUsed().multiply(Numeric.decodeQuantity(receipt.getEffectiveGasPrice()));
    txs.mined(
        tx.id(),
        ok,
        receipt.getTransactionHash(),
        receipt.getBlockNumber().longValueExact(),
        gasUsed,
        spent,
        credited,
        deadlinePassed);
    metrics.txMined(tx.kind().tag(), ok, gasUsed, closed);
    metrics.gasAccount(tx.kind().tag(), spent, credited);
    if (!ok) {
      LOG.warnf(
          "transaction %s (%s, %d receipts) reverted; its requests are checked again",
          receipt.getTransactionHash(), tx.kind(), tx.receipts());
    }
  }

  private void replace(TxStore.Tx tx) throws IOException {
    Optional<FeePolicy.Fees> bumped = fees.bump(new FeePolicy.Fees(tx.maxFee(), tx.priorityFee()));
    if (bumped.isEmpty()) {
      LOG.warnf(
          "transaction %s (nonce %d) is stuck at the fee cap %s wei; raise credence.relayer.settlement.max-fee-per-gas",
          tx.hash(), tx.nonce(), fees.cap());
      txs.resetStuckClock(tx.id());
      return;
    }
    FeePolicy.Fees f = bumped.get();
    TxStore.Signed s =
        wallet.sign(
            tx.nonce(),
            tx.to(),
            Numeric.toHexString(tx.data()),
            BigInteger.valueOf(tx.gasLimit()),
            f);
    Refusal r = wallet.sendRaw(s.raw());
    switch (r) {
      case NONE -> {
        txs.replaced(tx.id(), s, f.maxFee(), f.tip());
        metrics.replaced();
        LOG.infof(
            "transaction with nonce %d replaced by %s at max fee %s wei",
            tx.nonce(), s.hash(), f.maxFee());
      }
      // the node wants more: keep the higher fee as the base of the next bump
      case UNDERPRICED -> txs.feesRefused(tx.id(), f.maxFee(), f.tip());
      // NONCE_TOO_LOW: mined meanwhile (found by its receipt next round) or taken by another;
      // others: try again later
      default -> txs.resetStuckClock(tx.id());
    }
  }

  /**
   * Nonces between the chain's and ours that no live transaction holds block everything after: fill
   * them.
   */
  private void repairGaps(long latestNonce) throws IOException {
    long next = nonces.next(wallet.address()).orElse(latestNonce);
    List<Long> held = txs.heldNonces(wallet.address(), latestNonce, next);
    for (long n = latestNonce; n < next; n++) {
      if (!held.contains(n)) {
        LOG.warnf(
            "nonce %d has no transaction (dropped); filling the gap with an empty transfer", n);
        FeePolicy.Fees f = fees.current(web3j);
        TxStore.Signed s = wallet.sign(n, wallet.address(), "0x", GAP_GAS, f);
        txs.recordGap(wallet.address(), n, GAP_GAS, f.maxFee(), f.tip(), s);
        wallet.sendRaw(s.raw());
      }
    }
  }
}
