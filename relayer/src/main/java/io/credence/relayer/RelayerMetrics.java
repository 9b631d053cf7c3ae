package io.credence.relayer;

import io.credence.relayer.model.RequestState;
import io.credence.relayer.store.RequestStore;
import io.credence.relayer.store.TxStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The relayer's Prometheus metrics (names documented in docs/relayer.md). */
@ApplicationScoped
public class RelayerMetrics {
  private final MeterRegistry meters;
  private final RequestStore requests;
  private final TxStore txs;
  private final Map<RequestState, AtomicLong> queues = new EnumMap<>(RequestState.class);
  private final AtomicLong pendingTx = new AtomicLong();
  private final DistributionSummary gasPerReceipt;
  private final Counter replaced;
  private final Counter reorgs;
  private final Counter walletDry;

  @Inject
  public RelayerMetrics(MeterRegistry meters, RequestStore requests, TxStore txs) {
    this.meters = meters;
    this.requests = requests;
    this.txs = txs;
    for (RequestState s : RequestState.values()) {
      AtomicLong depth = new AtomicLong();
      queues.put(s, depth);
      Gauge.builder("credence_relayer_requests", depth, AtomicLong::get)
          .description("Requests by state")
          .tag("state", s.name().toLowerCase(Locale.ROOT))
          .register(meters);
    }
    Gauge.builder("credence_relayer_pending_transactions", pendingTx, AtomicLong::get)
        .description("Transactions sent and not yet mined")
        .register(meters);
    gasPerReceipt =
        DistributionSummary.builder("credence_relayer_gas_per_receipt")
            .description("Gas used by a settlement transaction divided by the receipts it settled")
            .publishPercentileHistogram()
            .register(meters);
    replaced = meters.counter("credence_relayer_tx_replaced_total");
    reorgs = meters.counter("credence_relayer_reorgs_total");
    walletDry = meters.counter("credence_relayer_wallet_insufficient_funds_total");
  }

  public void walletBalance(Supplier<BigInteger> balance) {
    Gauge.builder(
            "credence_relayer_wallet_balance_eth",
            balance,
            b -> new BigDecimal(b.get()).movePointLeft(18).doubleValue())
        .description("Balance of the relayer's signing wallet")
        .register(meters);
  }

  /** Re-reads the queue depths from the database. */
  public void refreshQueues() {
    Map<RequestState, Long> counts = requests.countByState();
    queues.forEach((state, depth) -> depth.set(counts.getOrDefault(state, 0L)));
    pendingTx.set(txs.countPending());
  }

  public void dispatched(int fresh, int retries) {
    meters.counter("credence_relayer_dispatched_total", "attempt", "first").increment(fresh);
    meters.counter("credence_relayer_dispatched_total", "attempt", "retry").increment(retries);
  }

  /** A worker result: accepted, quorum, duplicate, late or rejected. */
  public void result(String verdict) {
    meters.counter("credence_relayer_results_total", "verdict", verdict).increment();
  }

  /**
   * A request closed on-chain: settled, refunded or expired, after {@code latency} since it was
   * seen.
   */
  public void closed(String state, Duration latency) {
    Timer.builder("credence_relayer_request_seconds")
        .description(
            "From a request seen on-chain to its settlement, refund or expiry seen on-chain")
        .tag("outcome", state.toLowerCase())
        .publishPercentileHistogram()
        .register(meters)
        .record(latency);
  }

  /** Time one step of the relayer's loop took (listen, dispatch, settle, track, recheck). */
  public void step(String step, long nanos) {
    Timer.builder("credence_relayer_step_seconds")
        .description("Time of one step of the relayer's loop")
        .tag("step", step)
        .register(meters)
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void txSent(String kind) {
    meters.counter("credence_relayer_tx_sent_total", "kind", kind.toLowerCase()).increment();
  }

  public void txMined(String kind, boolean ok, long gasUsed, int receipts) {
    meters
        .counter(
            "credence_relayer_tx_mined_total",
            "kind",
            kind.toLowerCase(),
            "status",
            ok ? "ok" : "reverted")
        .increment();
    if (ok && receipts > 0) {
      gasPerReceipt.record((double) gasUsed / receipts);
    }
  }

  /**
   * Requests of a batch left to wait because their allowance would not pay back their gas now:
   * {@code reason} {@code max_fee_below_price} or {@code allowance_too_small}.
   */
  public void settlementWaits(String reason, int count) {
    meters.counter("credence_relayer_settle_waiting_total", "reason", reason).increment(count);
  }

  /**
   * A mined transaction's cost to the wallet (gas used x effective price) and what the hub paid it
   * back for it ({@code GasReimbursed}), in wei.
   */
  public void gasAccount(String kind, BigInteger spent, BigInteger credited) {
    meters
        .counter("credence_relayer_gas_spent_wei_total", "kind", kind.toLowerCase())
        .increment(spent.doubleValue());
    meters
        .counter("credence_relayer_gas_credited_wei_total", "kind", kind.toLowerCase())
        .increment(credited.doubleValue());
  }

  public void replaced() {
    replaced.increment();
  }

  public void reorg() {
    reorgs.increment();
  }

  public void walletDry() {
    walletDry.increment();
  }

  /**
   * One thing the relayer did in the DisputeCourt: {@code audits_drawn}, {@code audits_missed} (a
   * batch whose seed block fell out of reach before anyone drew it), {@code jury_drawn}, {@code
   * jury_dispatched}, {@code verdicts_submitted}, {@code verdict_received}, {@code
   * verdict_refused}, {@code resolve_sent}.
   */
  public void court(String event, int count) {
    meters.counter("credence_relayer_court_total", "event", event).increment(count);
  }
}
