// Over 400 lines on purpose: one benchmark, read top to bottom as it runs (a network of packaged
// services, offered load at each rate, where the time went, the raw-transfer baseline in the same
// run, then the figures it prints and records); its parts are used nowhere else.
package io.credence.bench;

import io.credence.contracts.ExampleConsumer;
import io.credence.contracts.InferenceHub;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.models.IrisDemo;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.testkit.TestInfra;
import io.credence.testkit.network.LocalNetwork;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.response.NoOpProcessor;
import org.web3j.utils.Numeric;

/**
 * The whole system on this machine ({@code scripts/bench e2e [RATE [SECONDS]]}): anvil with
 * automine, one packaged worker, one packaged relayer, the demo classifier, and a dApp
 * (ExampleConsumer) asking {@code RATE} questions per second (default 250) for {@code SECONDS}
 * (default 20) in transactions of 30 questions, with callbacks. It runs twice, each on fresh
 * contracts: the relayer batching settlements (up to 32 receipts per transaction) and sending one
 * receipt per transaction; between them, the rate at which this anvil mines plain value transfers
 * sent the way the relayer sends (signed, one after the other, from one account) is the baseline.
 *
 * <p>Settled per second is completions over the span of completions (first to last settlement
 * seen): the offered rate when the system keeps up, its capacity when it does not. anvil's cost per
 * block grows with the chain's state (it recomputes the state root), so each mode starts on a fresh
 * anvil, and the raw rate is the harmonic mean of the rates measured on the batched run's anvil
 * just before it (empty) and just after it (its final state): the mean time per transfer over the
 * states the run went through.
 *
 * <p>Times come from one watcher polling the hub's logs every 20 ms: a request counts as requested
 * when its InferenceRequested is seen and as settled when its InferenceSettled is seen, so both
 * carry the same polling delay. Gas per receipt is the gas of the settlement transactions divided
 * by the receipts they settled, read from the chain.
 *
 * <p>Over 400 lines: one benchmark, its runs and the figures it derives from them read as one
 * story; the signed run is its own class (SignedE2e).
 */
public final class E2eBench {
  static final int PER_TX = 30;

  /**
   * The signed run's rate: each signed request is a transaction of its own (requestInferenceFor),
   * so it is offered well below the batched capacity.
   */
  private static final int SIGNED_RATE = 40;

  private static final int RAW_TRANSFERS = 400;

  /** How often the watcher asks for new hub logs (an eth_getFilterChanges each time). */
  static final int POLL_MS = 20;

  private static final Credentials DAPP = AnvilNode.devAccount(7);
  private static final Credentials RAW_SENDER = AnvilNode.devAccount(9);
  static final String REQUESTED = EventEncoder.encode(InferenceHub.INFERENCEREQUESTED_EVENT);
  static final String SETTLED = EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT);

  private E2eBench() {}

  public static void main(String[] args) {
    try {
      measure(args);
      System.exit(0);
    } catch (Exception e) {
      System.err.println("e2e benchmark failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void measure(String[] args) throws Exception {
    Path results = Path.of(args[0]);
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 250;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Figures f =
        new Figures(
            "scripts/bench e2e"
                + (args.length > 1
                    ? " " + String.join(" ", Arrays.asList(args).subList(1, args.length))
                    : ""));
    TestInfra.kafka();
    TestInfra.postgres();
    List<String> inputs = new ArrayList<>();
    for (IrisDemo.Row r : IrisDemo.rows()) {
      inputs.add(Numeric.toHexString(irisInput(r)));
    }
    // anvil's cost per block grows with the chain's state, so each mode starts on a fresh anvil and
    // the
    // raw rate is taken on the batched run's anvil just before and just after it
    Path dir =
        java.nio.file.Files.createDirectories(Path.of("target", "e2e-bench").toAbsolutePath());
    double raw1;
    double raw2;
    Run batched;
    try (AnvilNode anvil = AnvilNode.start(AnvilNode.Options.forTests(dir))) {
      raw1 = rawTransfersPerSecond(anvil);
      batched = run(anvil, "batched", 32, rate, seconds, inputs);
      raw2 = rawTransfersPerSecond(anvil);
    }
    Run single;
    try (AnvilNode anvil = AnvilNode.start(AnvilNode.Options.forTests(dir))) {
      single = run(anvil, "single", 1, rate, seconds, inputs);
    }
    SignedE2e.Result signed;
    try (AnvilNode anvil = AnvilNode.start(AnvilNode.Options.forTests(dir))) {
      signed = SignedE2e.run(anvil, SIGNED_RATE, seconds, inputs);
    }
    // the mean time per transfer over the state the batched run went through: anvil's cost per
    // block grows
    // with the chain's state, so the rates at its two ends are averaged as times (a harmonic mean)
    double raw = 2 / (1 / raw1 + 1 / raw2);

    f.add("e2e.offered_per_s", batched.offeredPerSecond(), "requests/s");
    f.add("e2e.settled_per_s", batched.settledPerSecond(), "receipts/s");
    f.add("e2e.latency.p50_ms", batched.latencyMs(0.50), "ms");
    f.add("e2e.latency.p99_ms", batched.latencyMs(0.99), "ms");
    f.add("e2e.gas_per_receipt", batched.gasPerReceipt(), "gas");
    f.add("e2e.relayer.net_wei", batched.economics().net().doubleValue(), "wei");
    f.add("e2e.reimbursement.error.ratio", batched.economics().settlementRatio(), "ratio");
    f.add("e2e.court.reimbursement.ratio", batched.economics().courtRatio(), "ratio");
    f.add("e2e.court.gas.error.ratio", batched.court().ratio(), "ratio");
    f.add("e2e.single.relayer.net_wei", single.economics().net().doubleValue(), "wei");
    f.add("e2e.signed.offered_per_s", signed.offeredPerSecond(), "requests/s");
    f.add("e2e.signed.latency.p50_ms", signed.latencyMs(0.50), "ms");
    f.add("e2e.signed.latency.p99_ms", signed.latencyMs(0.99), "ms");
    f.add("e2e.signed.relayer.net_wei", signed.economics().net().doubleValue(), "wei");
    f.add("e2e.receipts_per_tx", batched.receiptsPerTx(), "receipts");
    f.add("e2e.single.settled_per_s", single.settledPerSecond(), "receipts/s");
    f.add("e2e.single.latency.p50_ms", single.latencyMs(0.50), "ms");
    f.add("e2e.single.gas_per_receipt", single.gasPerReceipt(), "gas");
    f.add("e2e.batching.speedup", batched.settledPerSecond() / single.settledPerSecond(), "x");
    f.add("e2e.raw_tx_per_s", raw, "tx/s");
    f.add("e2e.vs_raw_tx.ratio", batched.settledPerSecond() / raw, "x");
    f.note(
        String.format(
            java.util.Locale.ROOT,
            "raw value transfers on the batched run's anvil: %.1f tx/s before it (empty chain), %.1f after it (its final state); e2e.raw_tx_per_s is their harmonic mean (mean time per transfer)",
            raw1,
            raw2));
    f.note(
        "offered: "
            + rate
            + " requests/s for "
            + seconds
            + " s in transactions of "
            + PER_TX
            + " (ExampleConsumer.classifyMany, callbacks on); demo classifier, one worker, one relayer, anvil automine");
    f.note("batched " + batched.stages());
    f.note("batched " + batched.economics());
    f.note("batched " + batched.court());
    f.note(
        "signed: "
            + SIGNED_RATE
            + " requests/s for the run's seconds, half signed over HTTP (POST /v1/requests, 8"
            + " concurrent posters, one user with a vault deposit, latency from the POST to the"
            + " settlement seen on-chain), half by the dApp; "
            + signed.economics());
    f.note("single " + single.economics());
    f.note(
        String.format(
            java.util.Locale.ROOT,
            "target e2e.relayer.net_wei >= 0: %s; e2e.reimbursement.error.ratio within 0.95-1.10: %s",
            batched.economics().net().signum() >= 0 ? "met" : "MISSED",
            batched.economics().settlementRatio() >= 0.95
                    && batched.economics().settlementRatio() <= 1.10
                ? "met"
                : "MISSED"));
    f.note("single " + single.stages());
    f.note(
        String.format(
            java.util.Locale.ROOT,
            "target e2e.vs_raw_tx.ratio > 1: %s",
            batched.settledPerSecond() / raw > 1 ? "met" : "MISSED"));
    f.write(results);
  }

  private static byte[] irisInput(IrisDemo.Row r) {
    float[] x = {
      (float) r.petalLength(),
      (float) r.petalWidth(),
      (float) r.sepalLength(),
      (float) r.sepalWidth()
    };
    return TensorCodec.encode(List.of(Tensor.ofFloat32("features", new long[] {1, 4}, x)));
  }

  /** What one run measured. */
  private record Run(
      double offeredPerSecond,
      double settledPerSecond,
      long[] latenciesNanos,
      long gas,
      int txs,
      String stages,
      Economics economics,
      CourtGasFit.Result court) {
    double latencyMs(double q) {
      return latenciesNanos[Math.min(latenciesNanos.length - 1, (int) (latenciesNanos.length * q))]
          / 1e6;
    }

    double gasPerReceipt() {
      return (double) gas / latenciesNanos.length;
    }

    double receiptsPerTx() {
      return (double) latenciesNanos.length / txs;
    }
  }

  private static Run run(
      AnvilNode anvil, String mode, int maxBatch, int rate, int seconds, List<String> inputs)
      throws Exception {
    System.out.println("# " + mode + ": relayer max-batch " + maxBatch);
    try (LocalNetwork net = LocalNetwork.create("e2e-" + mode, anvil)) {
      long model = net.registerDemoModel();
      net.startWorker(0);
      net.startRelayer(
          mode, Map.of("credence.relayer.settlement.max-batch", Integer.toString(maxBatch)));
      var gas = ContractDeployer.gas(anvil.chainId());
      ExampleConsumer consumer =
          ExampleConsumer.deploy(anvil.web3j(), anvil.transactionManager(DAPP), gas, net.hub())
              .send();
      // sends return once the node took the transaction (automine: once it is mined); the watcher
      // sees the rest
      ExampleConsumer fast =
          ExampleConsumer.load(
              consumer.getContractAddress(),
              anvil.web3j(),
              new RawTransactionManager(
                  anvil.web3j(), DAPP, anvil.chainId(), new NoOpProcessor(anvil.web3j())),
              gas);
      Watcher watcher = new Watcher(anvil.web3j(), net.hub(), anvil.blockNumber() + 1);
      Thread watching = Thread.ofPlatform().name("e2e-watcher").daemon().start(watcher);

      // warm-up: the worker's and relayer's first receipts pay for class loading and JIT
      Set<Long> warm = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        warm.addAll(ask(fast, anvil, model, inputs, i * PER_TX, watcher));
      }
      watcher.awaitSettled(warm, 120);

      int txs = rate * seconds / PER_TX;
      long interval = 1_000_000_000L * PER_TX / rate;
      Set<Long> ids = new HashSet<>();
      long start = System.nanoTime();
      for (int t = 0; t < txs; t++) {
        long due = start + t * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        ids.addAll(ask(fast, anvil, model, inputs, t * PER_TX, watcher));
      }
      double offered = (double) ids.size() / ((System.nanoTime() - start) / 1e9);
      watcher.awaitSettled(ids, 600);
      watcher.stop.set(true);
      watching.join();

      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      long firstSettled = Long.MAX_VALUE;
      long[] latencies = new long[ids.size()];
      int i = 0;
      Set<String> settlementTxs = new HashSet<>();
      for (long id : ids) {
        long requested = watcher.requestedAt.get(id);
        long settled = watcher.settledAt.get(id);
        first = Math.min(first, requested);
        firstSettled = Math.min(firstSettled, settled);
        last = Math.max(last, settled);
        latencies[i++] = settled - requested;
        settlementTxs.add(watcher.settledIn.get(id));
      }
      Arrays.sort(latencies);
      long gasUsed = 0;
      for (String tx : settlementTxs) {
        TransactionReceipt r =
            anvil.web3j().ethGetTransactionReceipt(tx).send().getTransactionReceipt().orElseThrow();
        // a settlement transaction of this run settles only this run's receipts (the warm-up's came
        // before)
        gasUsed += r.getGasUsed().longValueExact();
      }
      // completions over the span of completions: the offered rate when the system keeps up, its
      // capacity when not
      double settledPerSecond = (ids.size() - 1) / ((last - firstSettled) / 1e9);
      String stages = stages(net, ids, watcher) + "; " + steps(net.relayerUrl(mode));
      System.out.printf(
          java.util.Locale.ROOT,
          "# %s: %d requests, %.1f/s offered, %.1f settled/s, %d settlement transactions%n",
          mode,
          ids.size(),
          offered,
          settledPerSecond,
          settlementTxs.size());
      System.out.println("# " + mode + " " + stages);
      Economics economics = economics(net);
      System.out.println("# " + mode + " " + economics);
      CourtGasFit.Result court = CourtGasFit.of(net, 1);
      System.out.println("# " + mode + " " + court);
      return new Run(
          offered,
          settledPerSecond,
          latencies,
          gasUsed,
          settlementTxs.size(),
          stages,
          economics,
          court);
    }
  }

  /**
   * What the relayer's wallet spent on the run's mined transactions and what the hub paid it back
   * (its ledger's {@code tx.spent} and {@code tx.credited}, from each receipt's gas used, effective
   * price, {@code GasReimbursed} and {@code ProtocolPaid}): over all of them, over settlements
   * alone, and over the court's transactions (paid back from the protocol's share).
   */
  record Economics(
      java.math.BigInteger spent,
      java.math.BigInteger credited,
      java.math.BigInteger settlementSpent,
      java.math.BigInteger settlementCredited,
      java.math.BigInteger courtSpent,
      java.math.BigInteger courtCredited) {
    java.math.BigInteger net() {
      return credited.subtract(spent);
    }

    double settlementRatio() {
      return ratio(settlementCredited, settlementSpent);
    }

    /** What the court's transactions were paid back over what they cost the wallet. */
    double courtRatio() {
      return ratio(courtCredited, courtSpent);
    }

    private static double ratio(java.math.BigInteger credited, java.math.BigInteger spent) {
      return spent.signum() == 0
          ? 0
          : new java.math.BigDecimal(credited)
              .divide(new java.math.BigDecimal(spent), 4, java.math.RoundingMode.HALF_EVEN)
              .doubleValue();
    }

    @Override
    public String toString() {
      return "wallet: spent "
          + spent
          + " wei, paid back "
          + credited
          + " wei, net "
          + net()
          + " wei; settlements paid back "
          + settlementRatio()
          + " of their cost; the court's transactions (audits, juries, verdicts, resolutions) cost "
          + courtSpent
          + " wei, paid back "
          + courtCredited
          + " wei";
    }
  }

  static Economics economics(LocalNetwork net) throws java.sql.SQLException {
    try (var c = TestInfra.postgres().connect();
        var rs =
            c.createStatement()
                .executeQuery(
                    """
                    SELECT COALESCE(sum(spent), 0), COALESCE(sum(credited), 0),
                           COALESCE(sum(spent) FILTER (WHERE kind = 'RECEIPTS'), 0),
                           COALESCE(sum(credited) FILTER (WHERE kind = 'RECEIPTS'), 0),
                           COALESCE(sum(spent) FILTER (WHERE kind IN ('DRAW_AUDITS', 'DRAW_JURY', 'VERDICTS', 'RESOLVE')), 0),
                           COALESCE(sum(credited) FILTER (WHERE kind IN ('DRAW_AUDITS', 'DRAW_JURY', 'VERDICTS', 'RESOLVE')), 0)
                    FROM %s.tx WHERE state IN ('MINED', 'FINAL', 'REVERTED')
                    """
                        .formatted(net.schema))) {
      rs.next();
      return new Economics(
          rs.getBigDecimal(1).toBigInteger(),
          rs.getBigDecimal(2).toBigInteger(),
          rs.getBigDecimal(3).toBigInteger(),
          rs.getBigDecimal(4).toBigInteger(),
          rs.getBigDecimal(5).toBigInteger(),
          rs.getBigDecimal(6).toBigInteger());
    }
  }

  /**
   * Where the time goes, from the relayer's own records (wall clock, ms, median over the run's
   * requests): request mined → seen by the relayer → dispatched (Kafka acknowledged) → first
   * verified result → in a settlement transaction → its settlement seen on-chain.
   */
  private static String stages(LocalNetwork net, Set<Long> ids, Watcher watcher)
      throws java.sql.SQLException {
    List<long[]> rows = new ArrayList<>();
    try (var c = TestInfra.postgres().connect();
        var st =
            c.prepareStatement(
                """
                SELECT r.request_id, (extract(epoch FROM r.seen_at) * 1000)::bigint,
                       (SELECT (extract(epoch FROM min(a.dispatched_at)) * 1000)::bigint FROM %1$s.attempt a WHERE a.request_id = r.request_id),
                       (SELECT (extract(epoch FROM min(x.received_at)) * 1000)::bigint FROM %1$s.result x WHERE x.request_id = r.request_id),
                       (SELECT (extract(epoch FROM min(t.created_at)) * 1000)::bigint
                          FROM %1$s.tx_request q JOIN %1$s.tx t ON t.id = q.tx_id WHERE q.request_id = r.request_id)
                FROM %1$s.request r WHERE r.request_id = ANY (?)
                """
                    .formatted(net.schema))) {
      st.setArray(1, c.createArrayOf("bigint", ids.toArray()));
      try (var rs = st.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          rows.add(
              new long[] {
                watcher.requestedWallMs.get(id),
                rs.getLong(2),
                rs.getLong(3),
                rs.getLong(4),
                rs.getLong(5),
                watcher.settledWallMs.get(id)
              });
        }
      }
    }
    String[] names = {
      "mined→seen", "seen→dispatched", "dispatched→result", "result→sent", "sent→settled"
    };
    StringBuilder out = new StringBuilder("stages, median ms:");
    for (int k = 0; k < names.length; k++) {
      int stage = k;
      long[] d = rows.stream().mapToLong(r -> r[stage + 1] - r[stage]).sorted().toArray();
      out.append(' ')
          .append(names[k])
          .append(' ')
          .append(d.length == 0 ? "-" : Long.toString(d[d.length / 2]));
    }
    return out.toString();
  }

  /** The relayer's loop steps from its metrics: total seconds spent in each over the run. */
  private static String steps(String relayer) throws IOException, InterruptedException {
    var http = java.net.http.HttpClient.newHttpClient();
    String body =
        http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(relayer + "/q/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    StringBuilder out = new StringBuilder("relayer loop, seconds in each step:");
    for (String line : body.split("\n")) {
      if (line.startsWith("credence_relayer_step_seconds_sum")) {
        String step = line.replaceAll(".*step=\"([a-z.]+)\".*", "$1");
        out.append(' ')
            .append(step)
            .append(' ')
            .append(
                String.format(
                    java.util.Locale.ROOT,
                    "%.1f",
                    Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))));
      }
    }
    return out.toString();
  }

  /** One classifyMany of {@link #PER_TX} demo inputs; returns the request ids it made. */
  static List<Long> ask(
      ExampleConsumer consumer,
      AnvilNode anvil,
      long model,
      List<String> inputs,
      int offset,
      Watcher watcher)
      throws Exception {
    List<byte[]> batch = new ArrayList<>(PER_TX);
    for (int k = 0; k < PER_TX; k++) {
      batch.add(Numeric.hexStringToByteArray(inputs.get((offset + k) % inputs.size())));
    }
    BigInteger deadline = BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(3_600));
    // each request pays the model's fee and the gas allowance the hub quotes for its callback
    BigInteger allowance =
        InferenceHub.load(
                consumer.hub().send(),
                anvil.web3j(),
                anvil.transactionManager(DAPP),
                ContractDeployer.gas(anvil.chainId()))
            .quote(
                BigInteger.valueOf(model),
                consumer.CALLBACK_GAS().send(),
                LocalNetwork.MAX_FEE_PER_GAS)
            .send()
            .component2();
    TransactionReceipt sent =
        consumer
            .classifyMany(
                BigInteger.valueOf(model),
                batch,
                deadline,
                LocalNetwork.MAX_FEE_PER_GAS,
                LocalNetwork.FEE.add(allowance).multiply(BigInteger.valueOf(PER_TX)))
            .send();
    TransactionReceipt mined = receipt(anvil.web3j(), sent.getTransactionHash());
    if (!mined.isStatusOK()) {
      throw new IllegalStateException("classifyMany reverted: " + mined.getRevertReason());
    }
    List<Long> ids = new ArrayList<>(PER_TX);
    for (Log log : mined.getLogs()) {
      if (!log.getTopics().isEmpty() && REQUESTED.equals(log.getTopics().get(0))) {
        ids.add(InferenceHub.getInferenceRequestedEventFromLog(log).requestId.longValueExact());
      }
    }
    return ids;
  }

  private static TransactionReceipt receipt(Web3j web3j, String hash)
      throws IOException, InterruptedException {
    for (int i = 0; i < 10_000; i++) {
      var r = web3j.ethGetTransactionReceipt(hash).send().getTransactionReceipt();
      if (r.isPresent()) {
        return r.get();
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException("transaction " + hash + " not mined within 10 s");
  }

  /**
   * Value transfers per second this anvil mines when one account signs and sends them one after the
   * other, as the relayer's wallet does, timed from the first send to the last receipt.
   */
  private static double rawTransfersPerSecond(AnvilNode anvil) throws Exception {
    Web3j web3j = anvil.web3j();
    String to = AnvilNode.devAccount(10).getAddress();
    BigInteger fee = BigInteger.valueOf(100_000_000_000L);
    BigInteger tip = BigInteger.valueOf(1_000_000_000L);
    long nonce =
        web3j
            .ethGetTransactionCount(RAW_SENDER.getAddress(), DefaultBlockParameterName.PENDING)
            .send()
            .getTransactionCount()
            .longValueExact();
    String lastHash = null;
    long start = System.nanoTime();
    for (int i = 0; i < RAW_TRANSFERS; i++) {
      RawTransaction tx =
          RawTransaction.createEtherTransaction(
              anvil.chainId(),
              BigInteger.valueOf(nonce + i),
              BigInteger.valueOf(21_000),
              to,
              BigInteger.ONE,
              tip,
              fee);
      byte[] signed = TransactionEncoder.signMessage(tx, RAW_SENDER);
      EthSendTransaction sent = web3j.ethSendRawTransaction(Numeric.toHexString(signed)).send();
      if (sent.hasError()) {
        throw new IllegalStateException("value transfer refused: " + sent.getError().getMessage());
      }
      lastHash = sent.getTransactionHash();
    }
    receipt(web3j, lastHash);
    double perSecond = RAW_TRANSFERS / ((System.nanoTime() - start) / 1e9);
    System.out.printf(java.util.Locale.ROOT, "# raw value transfers: %.1f tx/s%n", perSecond);
    return perSecond;
  }
}
