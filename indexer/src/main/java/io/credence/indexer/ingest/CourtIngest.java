package io.credence.indexer.ingest;

import io.credence.contracts.DisputeCourt;
import io.credence.indexer.store.IndexReads;
import io.credence.protocol.dispute.DisputeState;
import java.math.BigInteger;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.web3j.protocol.core.methods.response.Log;

/**
 * The DisputeCourt's events: disputes opened by a challenge or drawn as audits, their juries and
 * verdicts, and resolutions. A resolution credits the hub's vault in one call whose only event
 * (CourtCredited) names no account, so the credits are derived from the court's events exactly as
 * the court pays them: a proven fault refunds the requester (FaultProven's refund), returns the
 * challenger's bond with its reward, and pays the disagreeing jurors (JurorPaid); an upheld
 * challenge pays its agreeing jurors (JurorPaid) and divides the rest of the bond evenly among the
 * answer's signers' operators; without a majority the bond returns to the challenger less the
 * voting jurors' pay. The protocol's part is CourtCredited's own ({@link HubIngest}).
 */
final class CourtIngest extends ContractIngest {
  private static final String ZERO = "0x0000000000000000000000000000000000000000";

  /** ModelTermsSet(uint256 indexed modelId, Terms terms). */
  static final String MODEL_TERMS_SET =
      "ModelTermsSet(uint256,(uint64,uint16,uint8,uint8,uint32,uint64))";

  /** ParamsSet(Params params). */
  static final String PARAMS_SET = "ParamsSet((uint64,uint96,uint16,uint16,uint16,uint8))";

  CourtIngest(String court) {
    super(court);
    on(DisputeCourt.DISPUTEOPENED_EVENT, CourtIngest::opened);
    on(
        DisputeCourt.AUDITSDRAWN_EVENT,
        (s, l) -> {
          var e = DisputeCourt.getAuditsDrawnEventFromLog(l);
          s.store.auditDraw(
              s.at(),
              e.batchId.longValueExact(),
              e.seedBlock.longValueExact(),
              e.leaves.intValueExact(),
              e.audited.intValueExact());
        });
    on(
        DisputeCourt.AUDITSKIPPED_EVENT,
        (s, l) -> {
          var e = DisputeCourt.getAuditSkippedEventFromLog(l);
          s.store.disputeNote(
              s.at(),
              null,
              e.requestId.longValueExact(),
              "AUDIT_SKIPPED",
              (e.reason.intValue() == 1 ? "a dispute is open" : "already proven wrong")
                  + " (batch "
                  + e.batchId
                  + ")");
        });
    on(
        DisputeCourt.JURYDRAWN_EVENT,
        (s, l) -> {
          var e = DisputeCourt.getJuryDrawnEventFromLog(l);
          s.store.jury(
              s.at(),
              e.disputeId.longValueExact(),
              lower(e.jurors),
              e.verdictDeadline.longValueExact());
        });
    on(
        DisputeCourt.JURYDRAWDEFERRED_EVENT,
        (s, l) -> {
          var e = DisputeCourt.getJuryDrawDeferredEventFromLog(l);
          s.store.disputeNote(
              s.at(),
              e.disputeId.longValueExact(),
              null,
              "JURY_DEFERRED",
              "new seed block " + e.seedBlock);
        });
    on(
        DisputeCourt.VERDICTRECORDED_EVENT,
        (s, l) -> {
          var e = DisputeCourt.getVerdictRecordedEventFromLog(l);
          s.store.verdict(
              s.at(),
              e.disputeId.longValueExact(),
              lower(e.juror),
              e.agrees,
              e.jurorOutputHash,
              e.votes.intValueExact());
        });
    on(
        DisputeCourt.VERDICTSKIPPED_EVENT,
        (s, l) -> {
          var e = DisputeCourt.getVerdictSkippedEventFromLog(l);
          s.store.disputeNote(
              s.at(),
              e.disputeId.longValueExact(),
              null,
              "VERDICT_SKIPPED",
              lower(e.juror)
                  + (e.reason.intValue() == 1 ? " had already voted" : " voted after the window"));
        });
    on(DisputeCourt.JURORPAID_EVENT, CourtIngest::jurorPaid);
    on(
        DisputeCourt.FAULTPROVEN_EVENT,
        (s, l) -> {
          var e = DisputeCourt.getFaultProvenEventFromLog(l);
          s.faults.put(e.disputeId.longValueExact(), e);
        });
    // the bond's fate is credited at DisputeResolved, which follows it
    on(DisputeCourt.CHALLENGEREJECTED_EVENT, (s, l) -> {});
    on(DisputeCourt.DISPUTERESOLVED_EVENT, CourtIngest::resolved);
    // struct parameters: by their ABI signature, the struct's words read from the data
    on(
        MODEL_TERMS_SET,
        (s, l) ->
            s.store.modelTerms(
                s.at(),
                new BigInteger(l.getTopics().get(1).substring(2), 16).longValueExact(),
                word(l, 0).longValueExact(),
                word(l, 1).intValueExact(),
                word(l, 2).intValueExact(),
                word(l, 3).intValueExact(),
                word(l, 4).longValueExact(),
                word(l, 5).longValueExact()));
    on(
        PARAMS_SET,
        (s, l) ->
            setting(
                s,
                "params",
                "verdictWindow="
                    + word(l, 0)
                    + " minBond="
                    + word(l, 1)
                    + " bondFeeMultiple="
                    + word(l, 2)
                    + " challengerRewardBps="
                    + word(l, 3)
                    + " jurorRewardBps="
                    + word(l, 4)
                    + " challengeJurySize="
                    + word(l, 5)));
    on(
        DisputeCourt.OWNERSHIPTRANSFERSTARTED_EVENT,
        (s, l) ->
            setting(
                s,
                "ownerPending",
                lower(DisputeCourt.getOwnershipTransferStartedEventFromLog(l).newOwner)));
    on(
        DisputeCourt.OWNERSHIPTRANSFERRED_EVENT,
        (s, l) ->
            setting(
                s, "owner", lower(DisputeCourt.getOwnershipTransferredEventFromLog(l).newOwner)));
  }

  private static void opened(Step s, Log l) throws SQLException {
    var e = DisputeCourt.getDisputeOpenedEventFromLog(l);
    long id = e.disputeId.longValueExact();
    long requestId = e.requestId.longValueExact();
    List<String> signers = lower(e.signers);
    String challenger = lower(e.challenger);
    int kind = e.kind.intValueExact();
    s.store.dispute(
        s.at(),
        id,
        requestId,
        kind,
        e.batchId.longValueExact(),
        challenger,
        e.bond,
        e.outputHash,
        signers);
    IndexReads.Request r = s.requests.get(requestId);
    String requester = r == null ? null : r.requester();
    s.disputes.put(
        id, new IndexReads.Dispute(requestId, kind, challenger, e.bond, signers, requester));
  }

  private static void jurorPaid(Step s, Log l) {
    var e = DisputeCourt.getJurorPaidEventFromLog(l);
    long id = e.disputeId.longValueExact();
    String operator = lower(e.operator);
    s.store.jurorPay(s.at(), id, lower(e.juror), operator, e.amount);
    s.jurorPaid.merge(id, e.amount, BigInteger::add);
    // a juror slashed since has no operator: its pay went to the protocol
    if (e.amount.signum() > 0 && !operator.equals(ZERO)) {
      s.store.ledger(s.at(), s.seq(), operator, "JUROR_PAY", null, e.amount, null, null);
    }
  }

  private static void resolved(Step s, Log l) throws SQLException {
    var e = DisputeCourt.getDisputeResolvedEventFromLog(l);
    long id = e.disputeId.longValueExact();
    DisputeState state = DisputeState.ofCode(e.state.intValueExact());
    IndexReads.Dispute d = s.dispute(id);
    BigInteger paid = s.jurorPaid.getOrDefault(id, BigInteger.ZERO);
    var fault = (DisputeCourt.FaultProvenEventResponse) s.faults.remove(id);
    switch (state) {
      case FAULT_PROVEN -> {
        if (fault == null) {
          throw new IllegalStateException("dispute " + id + " resolved without its FaultProven");
        }
        String requester =
            d.requester() != null ? d.requester() : s.storedRequest(d.requestId()).requester();
        credit(s, requester, "REFUND", fault.refund, d.requestId());
        credit(s, d.challenger(), "BOND_RETURN", d.bond(), d.requestId());
        credit(s, d.challenger(), "CHALLENGE_REWARD", fault.reward, d.requestId());
      }
      case UPHELD -> {
        if (d.bond().signum() > 0) {
          BigInteger each = d.bond().subtract(paid).divide(BigInteger.valueOf(d.signers().size()));
          for (String signer : d.signers()) {
            String payee = s.payee(signer);
            if (payee != null) {
              credit(s, payee, "BOND_SHARE", each, d.requestId());
            }
          }
        }
      }
      case NO_MAJORITY ->
          credit(s, d.challenger(), "BOND_RETURN", d.bond().subtract(paid), d.requestId());
      default -> throw new IllegalStateException("dispute " + id + " resolved as " + state);
    }
    s.jurorPaid.remove(id);
    s.store.resolution(
        s.at(),
        id,
        state.code(),
        e.agreed.intValueExact(),
        e.disagreed.intValueExact(),
        e.jurySize.intValueExact(),
        fault == null ? null : fault.juryOutputHash,
        fault == null ? null : fault.slashed,
        fault == null ? null : fault.refund,
        fault == null ? null : fault.reward);
  }

  private static void credit(
      Step s, String account, String kind, BigInteger amount, long requestId) {
    if (amount.signum() > 0) {
      s.store.ledger(s.at(), s.seq(), account, kind, null, amount, null, requestId);
    }
  }

  private static List<String> lower(List<String> addresses) {
    List<String> out = new ArrayList<>(addresses.size());
    addresses.forEach(a -> out.add(lower(a)));
    return out;
  }

  private static void setting(Step s, String name, String value) {
    s.store.setting(s.at(), "court", name, value);
  }
}
