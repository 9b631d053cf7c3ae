package io.credence.indexer.ingest;

import io.credence.contracts.InferenceHub;
import io.credence.indexer.store.IndexReads;
import io.credence.indexer.store.IngestStore;
import io.credence.indexer.store.LogPosition;
import io.credence.protocol.Hashes;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.settlement.FeeSplit;
import io.credence.protocol.settlement.PoolShares;
import java.math.BigInteger;
import java.sql.SQLException;
import java.util.List;
import org.web3j.protocol.core.methods.response.Log;

/**
 * The InferenceHub's events (its RewardVault's included): requests, their outcomes and notes, and
 * the money. What the events do not say is derived exactly as the hub does: a settlement's split
 * from the request's fee, the split in force and the model's quorum ({@link FeeSplit}); its signers
 * by recovering the proofs against the hub's EIP-712 domain ({@link SignerRecovery}); the operator
 * each worker part is credited to from the worker's registration; a pool distribution's shares by
 * the vault's rule ({@link PoolShares}), after the parents' parts its LineagePaid events moved into
 * their pools.
 */
final class HubIngest extends ContractIngest {
  private final SignerRecovery recovery;
  private final String court;

  /**
   * @param court the DisputeCourt (lower-case), null without one: what it pays from the protocol's
   *     share is its callers' gas
   */
  HubIngest(String hub, String court, SignerRecovery recovery) {
    super(hub);
    this.recovery = recovery;
    this.court = court == null ? null : lower(court);
    on(InferenceHub.INFERENCEREQUESTED_EVENT, this::requested);
    on(InferenceHub.INFERENCESETTLED_EVENT, this::settled);
    on(InferenceHub.INFERENCEFAILED_EVENT, HubIngest::failed);
    on(InferenceHub.INFERENCEEXPIRED_EVENT, HubIngest::expired);
    on(
        InferenceHub.RECEIPTSKIPPED_EVENT,
        (s, l) -> {
          var e = InferenceHub.getReceiptSkippedEventFromLog(l);
          note(s, e.requestId, "RECEIPT_SKIPPED", "reason " + e.reason);
        });
    on(
        InferenceHub.CALLBACKFAILED_EVENT,
        (s, l) -> {
          var e = InferenceHub.getCallbackFailedEventFromLog(l);
          note(s, e.requestId, "CALLBACK_FAILED", lower(e.callback));
        });
    on(
        InferenceHub.EQUIVOCATIONREPORTED_EVENT,
        (s, l) -> {
          var e = InferenceHub.getEquivocationReportedEventFromLog(l);
          note(
              s,
              e.requestId,
              "EQUIVOCATION",
              "signer "
                  + lower(e.signer)
                  + " signed "
                  + Hashes.hex(e.outputHashA)
                  + " and "
                  + Hashes.hex(e.outputHashB)
                  + "; reported by "
                  + lower(e.reporter)
                  + ", slashed "
                  + e.slashed
                  + " wei");
        });
    on(
        InferenceHub.BATCHSETTLED_EVENT,
        (s, l) -> {
          var e = InferenceHub.getBatchSettledEventFromLog(l);
          s.store.batch(s.at(), e.batchId.longValueExact(), e.count.intValueExact());
        });
    on(
        InferenceHub.COURTCREDITED_EVENT,
        (s, l) -> {
          // the accounts' credits are derived from the court's events (CourtIngest)
          var e = InferenceHub.getCourtCreditedEventFromLog(l);
          if (e.protocol.signum() > 0) {
            s.store.protocol(s.at().block(), s.at().index(), e.protocol, "COURT");
          }
        });
    on(
        InferenceHub.COURTSET_EVENT,
        (s, l) -> setting(s, "court", lower(InferenceHub.getCourtSetEventFromLog(l).court)));
    on(InferenceHub.GASREIMBURSED_EVENT, HubIngest::reimbursed);
    on(InferenceHub.PROTOCOLPAID_EVENT, this::protocolPaid);
    on(
        InferenceHub.FEEDBACKSET_EVENT,
        (s, l) ->
            setting(s, "feedback", lower(InferenceHub.getFeedbackSetEventFromLog(l).feedback)));
    on(
        InferenceHub.DEPOSITED_EVENT,
        (s, l) -> {
          var e = InferenceHub.getDepositedEventFromLog(l);
          s.store.ledger(s.at(), s.seq(), lower(e.account), "DEPOSIT", null, e.amount, null, null);
        });
    on(InferenceHub.SPLITCHANGED_EVENT, HubIngest::splitChanged);
    on(
        InferenceHub.TREASURYCHANGED_EVENT,
        (s, l) -> {
          var e = InferenceHub.getTreasuryChangedEventFromLog(l);
          s.store.treasuryChange(s.at(), lower(e.previous), lower(e.treasury));
        });
    on(
        InferenceHub.PROTOCOLFEESCOLLECTED_EVENT,
        (s, l) -> {
          var e = InferenceHub.getProtocolFeesCollectedEventFromLog(l);
          s.store.protocol(s.at().block(), s.at().index(), e.amount.negate(), "COLLECTED");
          s.store.ledger(
              s.at(), s.seq(), lower(e.treasury), "PROTOCOL", null, e.amount, null, null);
        });
    on(InferenceHub.MODELPOOLDISTRIBUTED_EVENT, HubIngest::distributed);
    on(
        InferenceHub.LINEAGEPAID_EVENT,
        (s, l) -> {
          // a distribution's parent part: out of the model's pool, into the parent's; the
          // contributors' rest follows (ModelPoolDistributed)
          var e = InferenceHub.getLineagePaidEventFromLog(l);
          long modelId = e.modelId.longValueExact();
          long parentId = e.parentId.longValueExact();
          s.store.pool(s.at().block(), s.at().index(), modelId, e.amount.negate());
          s.store.pool(s.at().block(), s.at().index(), parentId, e.amount);
          s.store.lineagePaid(s.at(), modelId, parentId, e.amount);
        });
    on(
        InferenceHub.CLAIMED_EVENT,
        (s, l) -> {
          var e = InferenceHub.getClaimedEventFromLog(l);
          String account = lower(e.account);
          s.store.claim(s.at(), account, lower(e.to), e.amount);
          s.store.ledger(s.at(), s.seq(), account, "CLAIM", null, e.amount.negate(), null, null);
        });
    // settings and administration
    on(
        InferenceHub.LIMITSCHANGED_EVENT,
        (s, l) -> {
          var e = InferenceHub.getLimitsChangedEventFromLog(l);
          setting(
              s,
              "limits",
              "maxInputBytes=" + e.maxInputBytes + " maxCallbackGas=" + e.maxCallbackGas);
        });
    on(
        InferenceHub.PAUSED_EVENT,
        (s, l) -> setting(s, "paused", lower(InferenceHub.getPausedEventFromLog(l).account)));
    on(
        InferenceHub.UNPAUSED_EVENT,
        (s, l) -> setting(s, "unpaused", lower(InferenceHub.getUnpausedEventFromLog(l).account)));
    on(
        InferenceHub.OWNERSHIPTRANSFERSTARTED_EVENT,
        (s, l) ->
            setting(
                s,
                "ownerPending",
                lower(InferenceHub.getOwnershipTransferStartedEventFromLog(l).newOwner)));
    on(
        InferenceHub.OWNERSHIPTRANSFERRED_EVENT,
        (s, l) ->
            setting(
                s, "owner", lower(InferenceHub.getOwnershipTransferredEventFromLog(l).newOwner)));
  }

  /** A request as its outcome needs it, from its event. */
  static IndexReads.Request request(InferenceHub.InferenceRequestedEventResponse e) {
    return new IndexReads.Request(
        e.modelId.longValueExact(),
        lower(e.requester),
        e.inputHash,
        e.fee,
        e.gasAllowance == null ? BigInteger.ZERO : e.gasAllowance);
  }

  private void requested(Step s, Log l) {
    var e = decoded(s, l, InferenceHub.InferenceRequestedEventResponse.class);
    long id = e.requestId.longValueExact();
    IndexReads.Request r = request(e);
    s.requests.put(id, r);
    s.requested(id);
    s.store.request(
        s.at(),
        id,
        r.modelId(),
        r.requester(),
        e.inputHash,
        e.fee,
        e.deadline.longValueExact(),
        lower(e.callback),
        e.callbackGas.longValueExact(),
        r.gasAllowance(),
        e.maxFeePerGas == null ? BigInteger.ZERO : e.maxFeePerGas,
        e.input);
  }

  private void settled(Step s, Log l) throws SQLException {
    var e = decoded(s, l, InferenceHub.InferenceSettledEventResponse.class);
    long id = e.requestId.longValueExact();
    IndexReads.Request r = s.request(id);
    IndexReads.Model m = s.model(r.modelId());
    FeeSplit.Parts parts = s.split().divide(r.fee(), m.quorum());
    SignerRecovery.Signed signed = s.recovered.get(l);
    if (signed == null) {
      signed = recovery.signers(e, r, m.sha256());
    }
    String[] signers = signed.signers();
    LogPosition at = s.at();
    BlockCredits credits = s.credits();
    for (int k = 0; k < signers.length; k++) {
      String operator = s.operator(signers[k]);
      s.store.receiptSigner(
          at,
          id,
          k,
          signers[k],
          operator,
          ReceiptProofs.executedAt(e.proofs, k),
          ReceiptProofs.signature(e.proofs, k));
      credits.worker(operator, r.modelId(), parts.workerEach());
    }
    byte[] outputHash = signed.outputHash();
    s.closed(
        id,
        r,
        gas ->
            s.store.settled(
                at,
                id,
                e.output,
                outputHash,
                e.proofs,
                parts.protocol(),
                parts.workerEach(),
                parts.pool(),
                gas));
    credits.pool(r.modelId(), parts.pool());
    credits.protocol(parts.protocol());
  }

  private static void failed(Step s, Log l) throws SQLException {
    var e = InferenceHub.getInferenceFailedEventFromLog(l);
    long id = e.requestId.longValueExact();
    IndexReads.Request r = s.request(id);
    for (int k = 0; k < e.signers.size(); k++) {
      String signer = lower(e.signers.get(k));
      s.store.failureSigner(s.at(), id, k, signer, s.operator(signer));
    }
    LogPosition at = s.at();
    s.closed(
        id, r, gas -> s.store.failed(at, id, e.reason.intValue(), e.detailHash, e.refund, gas));
    s.store.ledger(s.at(), s.seq(), r.requester(), "REFUND", null, e.refund, r.modelId(), id);
  }

  private static void expired(Step s, Log l) {
    var e = InferenceHub.getInferenceExpiredEventFromLog(l);
    long id = e.requestId.longValueExact();
    IndexReads.Request r = s.request(id);
    LogPosition at = s.at();
    s.closed(id, r, gas -> s.store.expired(at, id, e.refund, gas));
    s.store.ledger(s.at(), s.seq(), r.requester(), "REFUND", null, e.refund, r.modelId(), id);
  }

  /**
   * The gas a transaction's submitter was paid back: the last log of every settlement, failure and
   * expiry (one charge per closed request, in the order of their events) and of a signed request's
   * submission (one charge, after its InferenceRequested).
   */
  private static void reimbursed(Step s, Log l) {
    var e = InferenceHub.getGasReimbursedEventFromLog(l);
    String submitter = lower(e.submitter);
    LogPosition at = s.at();
    List<Step.Closed> closed = s.reimbursed();
    if (closed.isEmpty()) {
      long id =
          s.requestedInThisTx()
              .orElseThrow(() ->
                  new IllegalStateException(
                      "GasReimbursed in "
                          + at.tx()
                          + " follows neither a closed request nor a request"));
      if (e.charges.size() != 1) {
        throw new IllegalStateException(
            "a signed request's GasReimbursed has " + e.charges.size() + " charges: " + at.tx());
      }
      IndexReads.Request r = s.request(id);
      BigInteger charge = e.charges.get(0);
      s.store.ledger(
          at,
          s.seq(),
          r.requester(),
          "SIGNED_ESCROW",
          null,
          r.fee().add(r.gasAllowance()).add(charge).negate(),
          r.modelId(),
          id);
    } else {
      if (e.charges.size() != closed.size()) {
        throw new IllegalStateException(
            "GasReimbursed has "
                + e.charges.size()
                + " charges for "
                + closed.size()
                + " closed requests: "
                + at.tx());
      }
      for (int i = 0; i < closed.size(); i++) {
        Step.Closed c = closed.get(i);
        BigInteger charge = e.charges.get(i);
        BigInteger returned = c.request().gasAllowance().subtract(charge);
        c.write().accept(new IngestStore.Gas(charge, returned));
        if (returned.signum() > 0) {
          s.store.ledger(
              at,
              s.seq(),
              c.request().requester(),
              "GAS_RETURN",
              null,
              returned,
              c.request().modelId(),
              c.requestId());
        }
      }
    }
    if (e.credited.signum() > 0) {
      s.store.ledger(at, s.seq(), submitter, "GAS", null, e.credited, null, null);
    }
  }

  /**
   * A payment from the protocol's share, accrued fees first, then the treasury's unclaimed balance:
   * the court's is its caller's gas (GAS, like a settlement's), the only other payer the hub allows
   * is the feedback contract (a rating's rebate, FEEDBACK).
   */
  private void protocolPaid(Step s, Log l) {
    var e = InferenceHub.getProtocolPaidEventFromLog(l);
    boolean gas = lower(e.payer).equals(court);
    String spent = gas ? "COURT_GAS" : "FEEDBACK";
    BigInteger paid = e.fromAccrued.add(e.fromTreasury);
    if (e.fromAccrued.signum() > 0) {
      s.store.protocol(s.at().block(), s.at().index(), e.fromAccrued.negate(), spent);
    }
    if (e.fromTreasury.signum() > 0) {
      s.store.ledger(
          s.at(), s.seq(), lower(e.treasury), spent, null, e.fromTreasury.negate(), null, null);
    }
    if (paid.signum() > 0) {
      s.store.ledger(
          s.at(), s.seq(), lower(e.account), gas ? "GAS" : "FEEDBACK", null, paid, null, null);
    }
  }

  private static void splitChanged(Step s, Log l) {
    var e = InferenceHub.getSplitChangedEventFromLog(l);
    FeeSplit split = new FeeSplit(e.protocolBps.intValue(), e.workerBps.intValue());
    s.split(split);
    s.store.splitChange(s.at(), split.protocolBps(), split.workerBps());
  }

  private static void distributed(Step s, Log l) throws SQLException {
    var e = InferenceHub.getModelPoolDistributedEventFromLog(l);
    long modelId = e.modelId.longValueExact();
    IndexReads.Model m = s.model(modelId);
    BigInteger[] shares = PoolShares.divide(e.amount, m.contributors());
    for (int j = 0; j < shares.length; j++) {
      if (shares[j].signum() > 0) {
        PoolShares.Contributor ct = m.contributors().get(j);
        s.store.ledger(s.at(), s.seq(), ct.account(), "SHARE", ct.role(), shares[j], modelId, null);
      }
    }
    s.store.pool(s.at().block(), s.at().index(), modelId, e.amount.negate());
  }

  private static void note(Step s, BigInteger requestId, String kind, String detail) {
    s.store.note(s.at(), requestId.longValueExact(), kind, detail);
  }

  private static void setting(Step s, String name, String value) {
    s.store.setting(s.at(), "hub", name, value);
  }

  /** The event decoded up front, or decoded now (a log the step did not see in advance). */
  private static <T> T decoded(Step s, Log l, Class<T> type) {
    Object e = s.decoded.get(l);
    if (e == null) {
      e =
          type == InferenceHub.InferenceRequestedEventResponse.class
              ? InferenceHub.getInferenceRequestedEventFromLog(l)
              : InferenceHub.getInferenceSettledEventFromLog(l);
    }
    return type.cast(e);
  }
}
