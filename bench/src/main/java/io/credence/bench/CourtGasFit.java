package io.credence.bench;

import io.credence.contracts.DisputeCourt;
import io.credence.protocol.settlement.GasCharges;
import io.credence.testkit.network.LocalNetwork;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * How well the court pays back its callers' gas on a run's chain: every transaction with a {@code
 * GasPaidBack}, the gas the court counted against the gas the transaction used, by kind; and the
 * fit of the figures the court adds to its measured execution ({@code GasCharges.COURT_*}): per
 * transaction, per leaf drawn (a leaf's signers included) and per verdict recorded.
 */
final class CourtGasFit {
  private static final String AUDITS_DRAWN = EventEncoder.encode(DisputeCourt.AUDITSDRAWN_EVENT);
  private static final String VERDICT = EventEncoder.encode(DisputeCourt.VERDICTRECORDED_EVENT);
  private static final String JURY = EventEncoder.encode(DisputeCourt.JURYDRAWN_EVENT);
  private static final String DEFERRED = EventEncoder.encode(DisputeCourt.JURYDRAWDEFERRED_EVENT);
  private static final String GAS_PAID_BACK = EventEncoder.encode(DisputeCourt.GASPAIDBACK_EVENT);

  /** One paid transaction: its kind, what it used, what the court counted, and its items. */
  private record Tx(String kind, long used, long counted, int leaves, int signers, int verdicts) {
    /** What the chain charged beyond the execution the court measured. */
    long overhead() {
      long perTx =
          switch (kind) {
            case "jury" -> GasCharges.COURT_JURY_TX;
            case "verdicts" -> GasCharges.COURT_VERDICTS_TX;
            case "draw" -> GasCharges.COURT_DRAW_TX;
            default -> GasCharges.COURT_RESOLVE_TX;
          };
      long figures =
          perTx
              + GasCharges.COURT_LEAF * leaves
              + GasCharges.COURT_SIGNER * signers
              + GasCharges.COURT_VERDICT * verdicts;
      return used - (counted - figures);
    }
  }

  /**
   * @param ratio all the court's transactions: gas counted over gas used
   * @param byKind the same per kind (draw, verdicts, jury, resolve)
   * @param fit what the run's transactions say the figures should be
   */
  record Result(double ratio, Map<String, Double> byKind, String fit, int transactions) {
    @Override
    public String toString() {
      StringBuilder b =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "court gas paid back over gas used: %.4f over %d transactions",
                  ratio,
                  transactions));
      byKind.forEach((k, v) -> b.append(String.format(Locale.ROOT, ", %s %.4f", k, v)));
      return b.append("; ").append(fit).toString();
    }
  }

  private CourtGasFit() {}

  static Result of(LocalNetwork net, int quorum) throws Exception {
    Set<String> hashes = new LinkedHashSet<>();
    for (Log l : net.courtLogs(DisputeCourt.GASPAIDBACK_EVENT)) {
      hashes.add(l.getTransactionHash());
    }
    List<Tx> txs = new ArrayList<>();
    for (String hash : hashes) {
      TransactionReceipt r =
          net.anvil
              .web3j()
              .ethGetTransactionReceipt(hash)
              .send()
              .getTransactionReceipt()
              .orElseThrow();
      long counted = 0;
      int leaves = 0;
      int verdicts = 0;
      boolean jury = false;
      for (Log l : r.getLogs()) {
        String topic = l.getTopics().isEmpty() ? "" : l.getTopics().get(0);
        if (topic.equals(GAS_PAID_BACK)) {
          counted = DisputeCourt.getGasPaidBackEventFromLog(l).gas.longValueExact();
        } else if (topic.equals(AUDITS_DRAWN)) {
          leaves = DisputeCourt.getAuditsDrawnEventFromLog(l).leaves.intValueExact();
        } else if (topic.equals(VERDICT)) {
          verdicts++;
        } else if (topic.equals(JURY) || topic.equals(DEFERRED)) {
          jury = true;
        }
      }
      String kind = leaves > 0 ? "draw" : verdicts > 0 ? "verdicts" : jury ? "jury" : "resolve";
      txs.add(
          new Tx(
              kind, r.getGasUsed().longValueExact(), counted, leaves, leaves * quorum, verdicts));
    }
    Map<String, long[]> sums = new LinkedHashMap<>();
    long used = 0;
    long counted = 0;
    for (Tx t : txs) {
      long[] s = sums.computeIfAbsent(t.kind(), k -> new long[2]);
      s[0] += t.used();
      s[1] += t.counted();
      used += t.used();
      counted += t.counted();
    }
    Map<String, Double> byKind = new LinkedHashMap<>();
    sums.forEach((k, s) -> byKind.put(k, s[1] / (double) s[0]));
    return new Result(used == 0 ? 0 : counted / (double) used, byKind, fit(txs), txs.size());
  }

  /**
   * The figures the transactions imply: a draw's overhead against its leaves, a verdict batch's
   * against its verdicts (each a line), and the jury draws' and resolutions' mean.
   */
  private static String fit(List<Tx> txs) {
    StringBuilder b =
        new StringBuilder("fit of the court's figures (gas beyond measured execution):");
    line(b, "draw", "leaf", txs.stream().filter(t -> t.kind().equals("draw")).toList(), Tx::leaves);
    line(
        b,
        "verdicts",
        "verdict",
        txs.stream().filter(t -> t.kind().equals("verdicts")).toList(),
        Tx::verdicts);
    for (String kind : List.of("jury", "resolve")) {
      List<Tx> some = txs.stream().filter(t -> t.kind().equals(kind)).toList();
      if (!some.isEmpty()) {
        double mean = some.stream().mapToLong(Tx::overhead).average().orElse(0);
        b.append(String.format(Locale.ROOT, " %s %.0f per tx (%d txs);", kind, mean, some.size()));
      }
    }
    return b.toString();
  }

  private static void line(
      StringBuilder b,
      String kind,
      String item,
      List<Tx> txs,
      java.util.function.ToIntFunction<Tx> items) {
    if (txs.isEmpty()) {
      return;
    }
    int[] x = txs.stream().mapToInt(items).toArray();
    double[] y = txs.stream().mapToDouble(t -> t.overhead()).toArray();
    boolean oneSize = java.util.Arrays.stream(x).distinct().count() == 1;
    if (oneSize) {
      double mean = java.util.Arrays.stream(y).average().orElse(0);
      b.append(
          String.format(
              Locale.ROOT,
              " %s %.0f per tx of %d %ss (%d txs);",
              kind,
              mean,
              x[0],
              item,
              txs.size()));
      return;
    }
    double[] l = GasBench.leastSquares(x, y);
    b.append(
        String.format(
            Locale.ROOT,
            " %s %.0f per tx + %.0f per %s (%d txs);",
            kind,
            l[0],
            l[1],
            item,
            txs.size()));
  }
}
