package io.credence.indexer.store;

import io.credence.protocol.Hashes;
import io.credence.protocol.dispute.DisputeState;
import io.credence.protocol.store.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * Disputes as the explorer reads them: each one's opening, jury, verdicts and outcome, and a
 * request's accountability (its disputes and a one-line summary). Amounts are wei as decimal
 * strings.
 */
@ApplicationScoped
public class DisputeStore {
  private final DataSource dataSource;

  @Inject
  public DisputeStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** A juror's recorded verdict. */
  public record VerdictView(
      String juror, boolean agrees, String jurorOutputHash, long block, String tx) {}

  /** A juror's pay, credited to its operator. */
  public record JurorPayView(String juror, String operator, String amount) {}

  /**
   * A dispute over a settled answer.
   *
   * @param kind audit or challenge
   * @param challenger who challenged (an audit: who drew the batch's audits)
   * @param bond the challenge's bond (0 for an audit)
   * @param state AWAITING_JURY, VOTING, FAULT_PROVEN, UPHELD or NO_MAJORITY
   * @param verdictDeadline unix seconds the jury's verdicts are due (null before the jury)
   * @param votes verdicts recorded
   * @param agreed jurors who said the answer agrees with their own (at the resolution; before it,
   *     so far)
   * @param juryOutputHash the first disagreeing juror's output hash (a proven fault)
   * @param slashed stake seized from the signers (a proven fault)
   * @param refund the requester's refund (a proven fault)
   * @param reward the challenger's reward (a proven fault)
   * @param resolvedBlock block of the resolution, or null while open
   */
  public record DisputeView(
      long disputeId,
      long requestId,
      String kind,
      long batchId,
      String challenger,
      String bond,
      String outputHash,
      List<String> signers,
      List<String> jurors,
      Long verdictDeadline,
      DisputeState state,
      int votes,
      int agreed,
      int disagreed,
      int jurySize,
      String juryOutputHash,
      String slashed,
      String refund,
      String reward,
      List<VerdictView> verdicts,
      List<JurorPayView> jurorPay,
      long openedBlock,
      String openedTx,
      Long resolvedBlock,
      String resolvedTx) {}

  /**
   * What holds a request's answer to account.
   *
   * @param summary one line: who checked the answer and what came of it
   * @param challengeWindow seconds after settlement the answer may be challenged (the model's terms
   *     or the court's defaults), or null when no terms are indexed
   * @param challengeableUntil unix seconds the window closes, or null when unknown
   */
  public record Accountability(
      String summary, Long challengeWindow, Long challengeableUntil, List<DisputeView> disputes) {}

  public Optional<DisputeView> dispute(long id) {
    return Jdbc.tx(dataSource, c -> dispute(c, id));
  }

  static Optional<DisputeView> dispute(Connection c, long id) throws SQLException {
    Optional<Object[]> head =
        Jdbc.one(
            c,
            """
            SELECT d.request_id, d.kind, d.batch_id, d.challenger, d.bond, d.output_hash, d.block_number, d.tx_hash,
                   j.verdict_deadline, r.state, r.agreed, r.disagreed, r.jury_size, r.jury_output_hash, r.slashed,
                   r.refund, r.reward, r.block_number, r.tx_hash
            FROM dispute d LEFT JOIN jury j ON j.dispute_id = d.dispute_id
                           LEFT JOIN dispute_resolution r ON r.dispute_id = d.dispute_id
            WHERE d.dispute_id = ?
            """,
            rs ->
                new Object[] {
                  rs.getLong(1),
                  rs.getInt(2),
                  rs.getLong(3),
                  rs.getString(4),
                  Jdbc.wei(rs, "bond"),
                  rs.getBytes(6),
                  rs.getLong(7),
                  rs.getString(8),
                  rs.getObject(9),
                  rs.getObject(10),
                  rs.getObject(11),
                  rs.getObject(12),
                  rs.getObject(13),
                  rs.getBytes(14),
                  Jdbc.wei(rs, "slashed"),
                  Jdbc.wei(rs, "refund"),
                  Jdbc.wei(rs, "reward"),
                  rs.getObject(18),
                  rs.getString(19)
                },
            id);
    if (head.isEmpty()) {
      return Optional.empty();
    }
    Object[] h = head.get();
    List<String> signers =
        Jdbc.query(
            c,
            "SELECT signer FROM dispute_signer WHERE dispute_id = ? ORDER BY k",
            rs -> rs.getString(1),
            id);
    List<String> jurors =
        Jdbc.query(
            c,
            "SELECT juror FROM juror WHERE dispute_id = ? ORDER BY k",
            rs -> rs.getString(1),
            id);
    List<VerdictView> verdicts =
        Jdbc.query(
            c,
            "SELECT juror, agrees, juror_output_hash, block_number, tx_hash FROM verdict WHERE dispute_id = ? ORDER BY block_number, log_index",
            rs ->
                new VerdictView(
                    rs.getString(1),
                    rs.getBoolean(2),
                    Hashes.hex(rs.getBytes(3)),
                    rs.getLong(4),
                    rs.getString(5)),
            id);
    List<JurorPayView> pay =
        Jdbc.query(
            c,
            "SELECT juror, operator, amount FROM juror_pay WHERE dispute_id = ? ORDER BY block_number, log_index",
            rs ->
                new JurorPayView(
                    rs.getString(1), rs.getString(2), Jdbc.wei(rs, "amount").toString()),
            id);
    boolean resolved = h[9] != null;
    DisputeState state =
        resolved
            ? DisputeState.ofCode((Integer) h[9])
            : h[8] == null ? DisputeState.AWAITING_JURY : DisputeState.VOTING;
    int agreed =
        resolved ? (Integer) h[10] : (int) verdicts.stream().filter(VerdictView::agrees).count();
    int disagreed = resolved ? (Integer) h[11] : verdicts.size() - agreed;
    return Optional.of(
        new DisputeView(
            id,
            (long) h[0],
            DisputeState.kindName((int) h[1]),
            (long) h[2],
            (String) h[3],
            h[4].toString(),
            Hashes.hex((byte[]) h[5]),
            signers,
            jurors,
            (Long) h[8],
            state,
            verdicts.size(),
            agreed,
            disagreed,
            resolved ? (Integer) h[12] : jurors.size(),
            h[13] == null ? null : Hashes.hex((byte[]) h[13]),
            str(h[14]),
            str(h[15]),
            str(h[16]),
            verdicts,
            pay,
            (long) h[6],
            (String) h[7],
            (Long) h[17],
            (String) h[18]));
  }

  /**
   * Request {@code requestId}'s accountability: its disputes, oldest first, and a summary.
   *
   * @param settledBlock the block its answer settled in, or null when it did not settle
   */
  static Accountability accountability(
      Connection c, long requestId, long modelId, Long settledBlock, BlockTimes times)
      throws SQLException {
    List<DisputeView> disputes = new ArrayList<>();
    for (long id :
        Jdbc.query(
            c,
            "SELECT dispute_id FROM dispute WHERE request_id = ? ORDER BY dispute_id",
            rs -> rs.getLong(1),
            requestId)) {
      disputes.add(dispute(c, id).orElseThrow());
    }
    Long window =
        Jdbc.one(
                c,
                """
                SELECT challenge_window FROM model_terms WHERE model_id IN (?, 0)
                ORDER BY model_id DESC, block_number DESC, log_index DESC LIMIT 1
                """,
                rs -> rs.getLong(1),
                modelId)
            .orElse(null);
    Long until = null;
    if (settledBlock != null && window != null) {
      OptionalLong at = times.of(settledBlock);
      until = at.isPresent() ? at.getAsLong() + window : null;
    }
    String summary;
    if (settledBlock == null) {
      summary = "not settled: no answer to hold to account";
    } else if (disputes.isEmpty()) {
      if (until == null) {
        summary = "not audited";
      } else {
        OptionalLong now = times.now();
        summary =
            now.isPresent() && now.getAsLong() > until
                ? "not audited; unchallenged (the challenge window closed " + time(until) + ")"
                : "not audited; challengeable until " + time(until);
      }
    } else {
      List<String> lines = new ArrayList<>();
      for (DisputeView d : disputes) {
        lines.add(summary(d));
      }
      summary = String.join("; then ", lines);
    }
    return new Accountability(summary, window, until, disputes);
  }

  /** One dispute in a line, e.g. "audited by 3 jurors, all agree". */
  static String summary(DisputeView d) {
    String who =
        d.kind().equals("audit")
            ? "audited by " + d.jurySize() + (d.jurySize() == 1 ? " juror" : " jurors")
            : "challenged by " + shortAddress(d.challenger());
    String signers = d.signers().size() == 1 ? "signer" : "signers";
    return switch (d.state()) {
      case AWAITING_JURY -> who + ", awaiting its jury";
      case VOTING ->
          who
              + (d.kind().equals("audit") ? "" : " (" + d.jurySize() + " jurors)")
              + ", "
              + d.votes()
              + " of "
              + d.jurySize()
              + " verdicts in"
              + (d.verdictDeadline() == null ? "" : ", due " + time(d.verdictDeadline()));
      case FAULT_PROVEN ->
          who
              + ", fault proven"
              + (d.kind().equals("audit")
                  ? " (" + d.disagreed() + " of " + d.jurySize() + " disagree)"
                  : "")
              + ", "
              + signers
              + " slashed "
              + eth(d.slashed())
              + (new BigInteger(d.refund()).signum() > 0 ? ", requester refunded" : "");
      case UPHELD ->
          who
              + (d.agreed() == d.jurySize()
                  ? ", all agree"
                  : ", " + d.agreed() + " of " + d.jurySize() + " agree")
              + (d.kind().equals("challenge") ? ": answer upheld, bond forfeited" : "");
      case NO_MAJORITY ->
          who
              + ", no majority ("
              + d.agreed()
              + " agree, "
              + d.disagreed()
              + " disagree of "
              + d.jurySize()
              + ")"
              + (d.kind().equals("challenge") ? ": bond returned less the jurors' pay" : "");
    };
  }

  static String shortAddress(String a) {
    return a.length() < 12 ? a : a.substring(0, 6) + "…" + a.substring(a.length() - 4);
  }

  /** Wei as ETH, e.g. "1.0 ETH", "0.25 ETH". */
  static String eth(String wei) {
    BigDecimal v = new BigDecimal(new BigInteger(wei)).movePointLeft(18).stripTrailingZeros();
    if (v.scale() < 1) {
      v = v.setScale(1);
    }
    return v.toPlainString() + " ETH";
  }

  static String time(long unixSeconds) {
    return Instant.ofEpochSecond(unixSeconds).toString();
  }

  private static String str(Object wei) {
    return wei == null ? null : wei.toString();
  }
}
