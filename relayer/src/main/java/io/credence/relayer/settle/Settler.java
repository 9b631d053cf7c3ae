package io.credence.relayer.settle;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.model.TxKind;
import io.credence.relayer.store.RequestStore;
import io.credence.relayer.store.RequestStore.Ready;
import io.credence.relayer.store.ResultStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;

/**
 * Turns requests with a quorum into hub transactions: receipts and failures in batches (full, or
 * when the oldest has waited long enough), expiries one by one. Every batch is estimated first; a
 * batch the hub would refuse is split to find the receipts at fault, which are resolved by asking
 * the hub (closed already: the listener will see how; deadline passed: expire it; still open: try
 * again, a bounded number of times).
 */
@ApplicationScoped
public class Settler {
  private static final Logger LOG = Logger.getLogger(Settler.class);

  /** A receipt the hub refused is estimated again at most this often (not every 100 ms round). */
  private static final Duration RESUBMIT_AFTER = Duration.ofSeconds(2);

  /**
   * Ready requests read per round: enough for 8 full batches, bounded so that one round stays
   * short.
   */
  private static final int BATCHES_PER_ROUND = 8;

  /** A request whose allowance falls short at today's fees is looked at again after this. */
  private static final Duration WAIT_AFTER_SHORTFALL = Duration.ofSeconds(5);

  /** Expiries sent per round at most (one transaction each). */
  private static final int EXPIRIES_PER_ROUND = 64;

  /**
   * A SUBMITTED request whose transaction is gone is looked at after this: long enough for the
   * listener to read the closing event of a transaction just mined.
   */
  private static final Duration RECHECK_AFTER = Duration.ofSeconds(5);

  private static final int RECHECKS_PER_ROUND = 64;

  private final RequestStore requests;
  private final ResultStore results;
  private final Contracts contracts;
  private final Wallet wallet;
  private final RelayerConfig config;
  private final RelayerMetrics metrics;

  @Inject
  public Settler(
      RequestStore requests,
      ResultStore results,
      Contracts contracts,
      Wallet wallet,
      RelayerConfig config,
      RelayerMetrics metrics) {
    this.requests = requests;
    this.results = results;
    this.metrics = metrics;
    this.contracts = contracts;
    this.wallet = wallet;
    this.config = config;
  }

  /**
   * The gas limit of a transaction estimated at {@code estimate}: a quarter more plus 20 000, since
   * the state can change between the estimate and the block (a callback's gas, storage slots that
   * another settlement touched first), and running out of gas wastes the whole transaction.
   */
  public static BigInteger gasLimit(BigInteger estimate) {
    return estimate
        .multiply(BigInteger.valueOf(5))
        .divide(BigInteger.valueOf(4))
        .add(BigInteger.valueOf(20_000));
  }

  /**
   * Sends what is ready: receipt and failure batches, then expiries.
   *
   * @return transactions sent
   */
  public int settle(long chainTime) throws IOException {
    if (!wallet.canSend()) {
      return 0;
    }
    int sent = 0;
    int max = config.settlement().maxBatch();
    List<Ready> ready = requests.readyToSettle(RESUBMIT_AFTER, max * BATCHES_PER_ROUND);
    Map<String, List<Ready>> byKind = new HashMap<>();
    for (Ready r : ready) {
      if (r.request().deadline.longValueExact() < chainTime) {
        requests.tooLateToSettle(r.id());
        continue;
      }
      byKind.computeIfAbsent(r.outcome(), k -> new ArrayList<>()).add(r);
    }
    Instant due = Instant.now().minus(config.settlement().maxWait());
    BigInteger price = null;
    for (Map.Entry<String, List<Ready>> e : byKind.entrySet()) {
      List<Ready> queue = e.getValue();
      while (!queue.isEmpty() && (queue.size() >= max || queue.get(0).resultAt().isBefore(due))) {
        List<Ready> batch = new ArrayList<>(queue.subList(0, Math.min(max, queue.size())));
        queue.subList(0, batch.size()).clear();
        if (config.settlement().requireReimbursement()) {
          price = price != null ? price : wallet.price();
          batch = paying(batch, price);
        }
        if (!batch.isEmpty()) {
          sent += submit(e.getKey(), batch);
        }
      }
    }
    return sent + expire(chainTime);
  }

  /**
   * The requests of {@code batch} whose allowance pays back their gas at {@code price}; the others
   * wait ({@link Reimbursement}), each with why, and are looked at again after {@link
   * #WAIT_AFTER_SHORTFALL}.
   */
  private List<Ready> paying(List<Ready> batch, BigInteger price) {
    Reimbursement.Split split = Reimbursement.split(batch, price);
    Map<String, Integer> counts = new HashMap<>();
    split
        .waiting()
        .forEach((r, why) -> {
          requests.waitFor(
              r.id(),
              why.tag()
                  + " at "
                  + price
                  + " wei per gas (max fee per gas "
                  + r.request().maxFeePerGas
                  + ", allowance "
                  + r.request().gasAllowance
                  + ")",
              WAIT_AFTER_SHORTFALL);
          counts.merge(why.tag(), 1, Integer::sum);
        });
    counts.forEach(metrics::settlementWaits);
    if (!split.waiting().isEmpty()) {
      LOG.debugf(
          "%d of %d requests wait: their allowances do not pay back their gas at %s wei per gas",
          split.waiting().size(), batch.size(), price);
    }
    return split.send();
  }

  private int submit(String outcome, List<Ready> batch) throws IOException {
    long t0 = System.nanoTime();
    String data = encode(outcome, batch);
    long t1 = System.nanoTime();
    Wallet.Estimate estimate = wallet.estimate(data);
    metrics.step("settle.encode", t1 - t0);
    metrics.step("settle.estimate", System.nanoTime() - t1);
    if (estimate.revert() != null) {
      if (batch.size() == 1) {
        resolve(batch.get(0), estimate.revert());
        return 0;
      }
      // find the receipts at fault: each alone
      List<Ready> good = new ArrayList<>();
      for (Ready r : batch) {
        Wallet.Estimate alone = wallet.estimate(encode(outcome, List.of(r)));
        if (alone.revert() == null) {
          good.add(r);
        } else {
          resolve(r, alone.revert());
        }
      }
      if (good.isEmpty()) {
        return 0;
      }
      batch = good;
      data = encode(outcome, batch);
      estimate = wallet.estimate(data);
      if (estimate.revert() != null) {
        LOG.warnf(
            "a batch of %d receipts that passed one by one is refused together (%s); trying again next round",
            batch.size(), estimate.revert());
        return 0;
      }
    }
    long t2 = System.nanoTime();
    wallet.send(
        "OK".equals(outcome) ? TxKind.RECEIPTS : TxKind.FAILURES,
        data,
        gasLimit(estimate.gas()),
        batch.stream().map(Ready::id).toList());
    metrics.step("settle.send", System.nanoTime() - t2);
    return 1;
  }

  /** The hub refuses this receipt: find out why and move the request on. */
  private void resolve(Ready r, String revert) throws IOException {
    if (!contracts.isPending(r.id())) {
      LOG.infof(
          "request %d was closed on-chain meanwhile (%s); the listener records how",
          r.id(), revert);
      requests.closedElsewhere(r.id(), revert);
      return;
    }
    int submissions = requests.refused(r.id(), revert);
    if (submissions >= config.settlement().maxSubmissions()) {
      LOG.errorf(
          "request %d: the hub refused its receipt %d times (%s); given up, it is expired at its deadline",
          r.id(), submissions, revert);
      requests.reject(r.id());
    } else {
      LOG.warnf("request %d: the hub refuses its receipt (%s); trying again", r.id(), revert);
    }
  }

  /**
   * Open requests past their deadline: marked for expiry (when enabled), and expiries sent one per
   * transaction, which refunds the requester.
   */
  private int expire(long chainTime) throws IOException {
    if (!config.dispatch().expire()) {
      return 0;
    }
    requests.pastDeadline(chainTime);
    List<Ready> due = requests.dueForExpiry(EXPIRIES_PER_ROUND);
    int sent = 0;
    for (Ready r : due) {
      String data =
          FunctionEncoder.encode(
              new Function(
                  InferenceHub.FUNC_EXPIRE,
                  List.<Type>of(new Uint256(r.id()), r.request()),
                  List.of()));
      Wallet.Estimate e = wallet.estimate(data);
      if (e.revert() != null) {
        if (!contracts.isPending(r.id())) {
          requests.expiryClosedElsewhere(r.id(), e.revert());
        } else {
          LOG.debugf("request %d cannot be expired yet: %s", r.id(), e.revert());
        }
        continue;
      }
      wallet.send(TxKind.EXPIRE, data, gasLimit(e.gas()), List.of(r.id()));
      sent++;
    }
    return sent;
  }

  /**
   * Requests marked SUBMITTED whose transaction is gone or done while the chain has not closed
   * them: back to the queue when the hub still holds them, otherwise left to the listener.
   */
  public void recheckSubmitted(long chainTime) throws IOException {
    List<Long> stale = requests.submittedWithoutOpenTx(RECHECK_AFTER, RECHECKS_PER_ROUND);
    for (long id : stale) {
      if (contracts.isPending(id)) {
        requests.backToSettle(id);
      } else {
        requests.touch(id);
      }
    }
  }

  private String encode(String outcome, List<Ready> batch) {
    List<Long> ids = batch.stream().map(Ready::id).toList();
    Map<Long, List<HubReceipts.Signed>> signed = results.agreeingSignatures(ids);
    if ("OK".equals(outcome)) {
      List<InferenceHub.Receipt> receipts = new ArrayList<>();
      for (Ready r : batch) {
        receipts.add(
            HubReceipts.receipt(
                BigInteger.valueOf(r.id()),
                r.request(),
                r.output(),
                quorumOf(signed.get(r.id()), r.quorum())));
      }
      return FunctionEncoder.encode(
          new Function(
              InferenceHub.FUNC_SUBMITRECEIPTS,
              List.<Type>of(new DynamicArray<>(InferenceHub.Receipt.class, receipts)),
              List.of()));
    }
    List<InferenceHub.Failure> failures = new ArrayList<>();
    for (Ready r : batch) {
      Map<String, byte[]> sigs = new HashMap<>();
      quorumOf(signed.get(r.id()), r.quorum()).forEach(s -> sigs.put(s.signer(), s.signature()));
      failures.add(
          HubReceipts.failure(
              BigInteger.valueOf(r.id()), r.request(), r.reason(), r.detailHash(), sigs));
    }
    return FunctionEncoder.encode(
        new Function(
            InferenceHub.FUNC_SUBMITFAILURES,
            List.<Type>of(new DynamicArray<>(InferenceHub.Failure.class, failures)),
            List.of()));
  }

  private static List<HubReceipts.Signed> quorumOf(List<HubReceipts.Signed> all, int quorum) {
    return all.subList(0, Math.min(quorum, all.size()));
  }
}
