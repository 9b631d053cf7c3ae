package io.credence.bench;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.process.ManagedProcess;
import io.credence.protocol.dispute.Tolerance;
import io.credence.testkit.TestInfra;
import io.credence.testkit.network.LocalNetwork;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Accountability on this machine ({@code scripts/bench accountability [LIES]}): the packaged
 * relayer and workers on anvil, three honest workers sitting on juries and a fourth key lying on
 * every answer (default 12 answers). It runs twice on fresh contracts: every answer audited (audit
 * rate 100 %), then one in ten (10 %). Printed: the lies told (settled answers the liar signed;
 * once it is slashed the hub refuses the rest), the share of them proven wrong, honest keys
 * slashed, the gas of one audit and of one challenge end to end (opened, drawn, verdicts, resolved;
 * challenging an honest answer), and the time from an answer's settlement to its fault being proven
 * (wall clock, each seen by polling the chain). The baseline in the same run is the gas of settling
 * one receipt there.
 */
public final class AccountabilityBench {
  private static final Credentials DAPP = AnvilNode.devAccount(5);
  private static final Credentials CHALLENGER = AnvilNode.devAccount(9);
  private static final Duration WAIT = Duration.ofSeconds(300);
  private static final int LIAR = 3;

  private AccountabilityBench() {}

  public static void main(String[] args) {
    try {
      measure(args);
      System.exit(0);
    } catch (Exception e) {
      System.err.println("accountability benchmark failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void measure(String[] args) throws Exception {
    Path results = Path.of(args[0]);
    int lies = args.length > 1 ? Integer.parseInt(args[1]) : 12;
    Figures f = new Figures("scripts/bench accountability" + (args.length > 1 ? " " + lies : ""));
    TestInfra.kafka();
    TestInfra.postgres();
    Path dir = Files.createDirectories(Path.of("target", "accountability-bench").toAbsolutePath());
    Run full;
    try (AnvilNode anvil = AnvilNode.start(AnvilNode.Options.forTests(dir))) {
      full = run(anvil, "full", 10_000, lies, true);
    }
    Run tenth;
    try (AnvilNode anvil = AnvilNode.start(AnvilNode.Options.forTests(dir))) {
      tenth = run(anvil, "tenth", 1_000, lies * 4, false);
    }
    f.add("accountability.lies", full.lies, "answers");
    f.add("accountability.lies_caught.ratio", full.caught / (double) full.lies, "ratio");
    f.add("accountability.lies_10pct", tenth.lies, "answers");
    f.add("accountability.lies_caught_10pct.ratio", tenth.caught / (double) tenth.lies, "ratio");
    f.add("accountability.honest_slashed", full.honestSlashed + tenth.honestSlashed, "keys");
    f.add("accountability.audit.gas", full.auditGas, "gas");
    f.add("accountability.challenge.gas", full.challengeGas, "gas");
    f.add("accountability.settle.gas", full.settleGas, "gas");
    f.add("accountability.audit_vs_settle.ratio", full.auditGas / (double) full.settleGas, "ratio");
    f.add("accountability.detection_latency.p50_ms", full.detectionP50Ms, "ms");
    f.add("accountability.court_gas.reimbursement.ratio", full.courtGas.ratio(), "ratio");
    f.add("accountability.court_gas_10pct.reimbursement.ratio", tenth.courtGas.ratio(), "ratio");
    f.add("accountability.relayer.net_wei", full.economics.net().doubleValue(), "wei");
    f.add("accountability.relayer_10pct.net_wei", tenth.economics.net().doubleValue(), "wei");
    f.targetRatio("accountability.honest_slashed", full.honestSlashed + tenth.honestSlashed, 0);
    f.note("at 100 % " + full.courtGas);
    f.note("at 10 % " + tenth.courtGas);
    f.note("at 100 % the relayer's " + full.economics);
    f.note("at 10 % the relayer's " + tenth.economics);
    f.note(
        String.format(
            Locale.ROOT,
            "at 100 %% every lie is audited (target ratio 1.0): %d of %d; at 10 %% expected about 0.1: %d of %d",
            full.caught,
            full.lies,
            tenth.caught,
            tenth.lies));
    f.write(results);
  }

  private record Run(
      int lies,
      int caught,
      int honestSlashed,
      long auditGas,
      long challengeGas,
      long settleGas,
      long detectionP50Ms,
      CourtGasFit.Result courtGas,
      E2eBench.Economics economics) {}

  private static Run run(AnvilNode anvil, String name, int auditRateBps, int n, boolean challenge)
      throws Exception {
    System.out.println(
        "# " + name + ": audit rate " + auditRateBps + " bps, " + n + " lies offered");
    try (LocalNetwork net = LocalNetwork.create("accountability-" + name, anvil)) {
      net.setAuditTerms(1, auditRateBps, 3, new Tolerance(Tolerance.CLOSE, 8, 1_000));
      DisputeCourt court = net.courtAs(DAPP);
      List<ManagedProcess> processes = new ArrayList<>();
      processes.add(net.startRelayer(name));
      try {
        for (int i = 0; i < 3; i++) {
          processes.add(net.startJuror(i));
        }
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          ids.add(net.request(DAPP, 1, LocalNetwork.input(i, 0.5f, -1.5f, 2.25f), 3_600));
        }
        // the lies wait in Kafka for the liar: it answers them all before the first is proven
        ManagedProcess liar = net.startWorker(LIAR, Map.of("credence.worker.lie.rate", "1"));
        processes.add(liar);
        Map<Long, Long> settledAt = new HashMap<>();
        Map<Long, Long> provenAt = new HashMap<>();
        // every lie settled, or the liar slashed first (the hub refuses the rest of its receipts)
        String liarKey = LocalNetwork.WORKER_KEYS.get(LIAR).getAddress();
        LocalNetwork.await(
            () -> {
              long now = System.nanoTime();
              net.settledEvents().keySet().forEach(id -> settledAt.putIfAbsent(id, now));
              return settledAt.keySet().containsAll(ids) || !active(net, liarKey);
            },
            WAIT,
            "every lie settled or the liar slashed");
        net.settledEvents().keySet().forEach(id -> settledAt.putIfAbsent(id, System.nanoTime()));
        ids.retainAll(settledAt.keySet());
        int lies = ids.size();
        // every audit drawn and resolved: blocks mined meanwhile (a quiet anvil mines none)
        LocalNetwork.await(
            () -> {
              net.anvil.mine(1);
              long now = System.nanoTime();
              for (Log l : net.courtLogs(DisputeCourt.FAULTPROVEN_EVENT)) {
                provenAt.putIfAbsent(
                    DisputeCourt.getFaultProvenEventFromLog(l).requestId.longValueExact(), now);
              }
              return batchesDrawn(net) && openDisputes(net, court) == 0;
            },
            WAIT,
            "every audit drawn and resolved");
        int caught = (int) ids.stream().filter(provenAt::containsKey).count();
        List<Long> latencies = new ArrayList<>();
        for (long id : ids) {
          if (provenAt.containsKey(id)) {
            latencies.add((provenAt.get(id) - settledAt.get(id)) / 1_000_000);
          }
        }
        latencies.sort(Long::compare);
        long p50 = latencies.isEmpty() ? 0 : latencies.get(latencies.size() / 2);
        long auditGas = auditGas(net);
        long settleGas = settleGasPerReceipt(net);
        long challengeGas = 0;
        if (challenge) {
          liar.stop(Duration.ofSeconds(10));
          challengeGas = challengeHonestAnswer(net, court, processes);
        }
        int honestSlashed = 0;
        for (int i = 0; i < 3; i++) {
          if (!net.deployment
              .workerRegistry()
              .isActive(LocalNetwork.WORKER_KEYS.get(i).getAddress())
              .send()) {
            honestSlashed++;
          }
        }
        System.out.printf(
            Locale.ROOT, "# %s: %d lies, %d proven, p50 %d ms%n", name, lies, caught, p50);
        CourtGasFit.Result courtGas = CourtGasFit.of(net, 1);
        E2eBench.Economics economics = E2eBench.economics(net);
        System.out.println("# " + name + " " + courtGas);
        System.out.println("# " + name + " relayer " + economics);
        return new Run(
            lies,
            caught,
            honestSlashed,
            auditGas,
            challengeGas,
            settleGas,
            p50,
            courtGas,
            economics);
      } finally {
        for (ManagedProcess p : processes) {
          p.stop(Duration.ofSeconds(10));
        }
      }
    }
  }

  /**
   * Every settlement batch's audits drawn, or found to draw none: the relayer draws a batch only
   * when its seed audits an answer (an eth_call says so), so a batch drawing nothing has no
   * AuditsDrawn; the relayer's own ledger ({@code batch}) says it is done with each.
   */
  private static boolean batchesDrawn(LocalNetwork net) {
    Set<Long> batches = new HashSet<>();
    for (Log l : net.logs(InferenceHub.BATCHSETTLED_EVENT)) {
      batches.add(InferenceHub.getBatchSettledEventFromLog(l).batchId.longValueExact());
    }
    Set<Long> done = new HashSet<>();
    try (var c = TestInfra.postgres().connect();
        var rs =
            c.createStatement()
                .executeQuery(
                    "SELECT batch_id FROM " + net.schema + ".batch WHERE state <> 'PENDING'")) {
      while (rs.next()) {
        done.add(rs.getLong(1));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return done.containsAll(batches);
  }

  private static boolean active(LocalNetwork net, String key) {
    try {
      return net.deployment.workerRegistry().isActive(key).send();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long openDisputes(LocalNetwork net, DisputeCourt court) {
    int opened = net.courtLogs(DisputeCourt.DISPUTEOPENED_EVENT).size();
    int resolved = net.courtLogs(DisputeCourt.DISPUTERESOLVED_EVENT).size();
    return opened - resolved;
  }

  /**
   * The gas of the audits end to end, per audit: every transaction that drew audits, recorded
   * verdicts or resolved an audit, over the audits opened.
   */
  private static long auditGas(LocalNetwork net) throws Exception {
    Set<String> txs = new HashSet<>();
    for (var event :
        List.of(
            DisputeCourt.AUDITSDRAWN_EVENT,
            DisputeCourt.VERDICTRECORDED_EVENT,
            DisputeCourt.DISPUTERESOLVED_EVENT)) {
      net.courtLogs(event).forEach(l -> txs.add(l.getTransactionHash()));
    }
    long audits =
        net.courtLogs(DisputeCourt.DISPUTEOPENED_EVENT).stream()
            .filter(l -> DisputeCourt.getDisputeOpenedEventFromLog(l).kind.intValue() == 1)
            .count();
    return audits == 0 ? 0 : gasOf(net, txs) / audits;
  }

  /** Gas of settlement transactions over the receipts they settled. */
  private static long settleGasPerReceipt(LocalNetwork net) throws Exception {
    Set<String> txs = new HashSet<>();
    List<Log> settled = net.logs(InferenceHub.INFERENCESETTLED_EVENT);
    settled.forEach(l -> txs.add(l.getTransactionHash()));
    return gasOf(net, txs) / Math.max(1, settled.size());
  }

  /**
   * Challenges an honest answer and returns the gas of the whole dispute: the challenge, the jury's
   * draw, the verdicts and the resolution.
   */
  private static long challengeHonestAnswer(
      LocalNetwork net, DisputeCourt court, List<ManagedProcess> processes) throws Exception {
    for (ManagedProcess p : new ArrayList<>(processes.subList(1, 4))) {
      p.stop(Duration.ofSeconds(10));
      processes.remove(p);
    }
    for (int i = 0; i < 3; i++) {
      processes.add(net.startWorker(i));
    }
    long id = net.request(DAPP, 1, LocalNetwork.input(7, 7, 7, 7), 3_600);
    LocalNetwork.await(() -> net.settledEvents().containsKey(id), WAIT, "an honest answer settled");
    // its audit (if drawn) first resolves: a request is in one dispute at a time
    LocalNetwork.await(
        () -> {
          net.anvil.mine(1);
          return batchesDrawn(net) && openDisputes(net, court) == 0;
        },
        WAIT,
        "the honest answer's audit resolved");
    Set<String> before = courtTxs(net);
    BigInteger bond = court.requiredBond(LocalNetwork.FEE).send();
    long disputeId = net.challenge(CHALLENGER, id, bond);
    LocalNetwork.await(
        () -> {
          net.anvil.mine(1);
          return resolved(net, disputeId);
        },
        WAIT,
        "the challenge resolved");
    Set<String> txs = courtTxs(net);
    txs.removeAll(before);
    return gasOf(net, txs);
  }

  private static boolean resolved(LocalNetwork net, long disputeId) {
    return net.courtLogs(DisputeCourt.DISPUTERESOLVED_EVENT).stream()
        .anyMatch(l ->
            DisputeCourt.getDisputeResolvedEventFromLog(l).disputeId.longValueExact() == disputeId);
  }

  private static Set<String> courtTxs(LocalNetwork net) {
    Set<String> txs = new HashSet<>();
    for (var event :
        List.of(
            DisputeCourt.DISPUTEOPENED_EVENT,
            DisputeCourt.JURYDRAWN_EVENT,
            DisputeCourt.VERDICTRECORDED_EVENT,
            DisputeCourt.DISPUTERESOLVED_EVENT)) {
      net.courtLogs(event).forEach(l -> txs.add(l.getTransactionHash()));
    }
    return txs;
  }

  private static long gasOf(LocalNetwork net, Set<String> txs) throws Exception {
    long gas = 0;
    for (String tx : txs) {
      TransactionReceipt r =
          net.anvil
              .web3j()
              .ethGetTransactionReceipt(tx)
              .send()
              .getTransactionReceipt()
              .orElseThrow();
      gas += r.getGasUsed().longValueExact();
    }
    return gas;
  }
}
