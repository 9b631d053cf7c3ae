package io.credence.relayer.court;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ContractErrors;
import io.credence.protocol.dispute.SettlementRecords;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.chain.Contracts;
import io.credence.relayer.model.TxKind;
import io.credence.relayer.settle.Settler;
import io.credence.relayer.settle.Wallet;
import io.credence.relayer.store.CourtStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SignatureException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.utils.Numeric;

/**
 * The relayer's work in the DisputeCourt, one step per round of the relayer's loop: it draws the
 * audits of every settlement batch it saw (its own and other relayers'), draws the juries of
 * challenges once their seed block is mined, gives each drawn jury its job, submits the verdicts
 * jurors send in batches, and resolves disputes whose verdict window closed.
 *
 * <p>Everything it acts on is in {@link CourtStore}, derived from the chain's events, so a restart
 * resumes where the chain is. A transaction is sent again only when its effect was not seen within
 * {@code credence.relayer.accountability.resend-after}; the court refuses what was done already
 * (drawn twice, recorded twice, resolved twice), so a transaction sent twice costs gas and nothing
 * else. Every call is simulated first: a refusal that means "done already" marks the work done, a
 * seed that fell out of the 256 blocks the chain keeps marks the batch missed (a metric and a log
 * line), anything else waits for the next try.
 */
@ApplicationScoped
public class CourtEngine {
  private static final Logger LOG = Logger.getLogger(CourtEngine.class);

  /** The seed of a batch's audits is the hash of the block after its settlement's. */
  static final long SEED_DELAY = 1;

  /** The chain keeps the hashes of the last 256 blocks. */
  static final long BLOCKHASH_WINDOW = 256;

  private static final int ROUND = 32;

  private final CourtStore store;
  private final Contracts contracts;
  private final Wallet wallet;
  private final JuryPublisher juries;
  private final RelayerMetrics metrics;
  private final Duration resendAfter;
  private final int maxVerdicts;

  @Inject
  public CourtEngine(
      CourtStore store,
      Contracts contracts,
      Wallet wallet,
      JuryPublisher juries,
      RelayerMetrics metrics,
      RelayerConfig config) {
    this.store = store;
    this.contracts = contracts;
    this.wallet = wallet;
    this.juries = juries;
    this.metrics = metrics;
    this.resendAfter = config.accountability().resendAfter();
    this.maxVerdicts = config.accountability().maxVerdicts();
  }

  /**
   * One step.
   *
   * @param chainTime the next block's timestamp (verdict windows are judged by it)
   * @return how many things it did
   */
  public int step(long chainTime) throws IOException, InterruptedException {
    if (contracts.court().isEmpty() || !wallet.canSend()) {
      return 0;
    }
    long head = contracts.head();
    return drawAudits(head) + drawJuries(head) + dispatch() + submitVerdicts() + resolve(chainTime);
  }

  private String court() {
    return contracts.court().orElseThrow();
  }

  // ---- audits

  private int drawAudits(long head) throws IOException {
    int sent = 0;
    for (CourtStore.Batch b : store.batchesToDraw(resendAfter, ROUND)) {
      long seedBlock = b.settledBlock() + SEED_DELAY;
      if (head < seedBlock) {
        continue; // a transaction sent now must land after the seed block
      }
      if (head + 1 > seedBlock + BLOCKHASH_WINDOW) {
        missed(b, "its seed block " + seedBlock + " is older than the chain's 256 block hashes");
        continue;
      }
      List<CourtStore.Leaf> leaves = store.leaves(b);
      if (leaves.isEmpty()) {
        LOG.debugf("batch %d: not every answer of it is known here yet", b.batchId());
        continue;
      }
      List<DisputeCourt.Leaf> proof = new ArrayList<>(leaves.size());
      for (CourtStore.Leaf l : leaves) {
        proof.add(leaf(l).toCourt());
      }
      String data =
          FunctionEncoder.encode(
              new Function(
                  DisputeCourt.FUNC_DRAWAUDITS,
                  List.<Type>of(
                      new Uint256(b.batchId()),
                      new Uint64(b.settledBlock()),
                      new Uint64(b.settledAt()),
                      new DynamicArray<>(DisputeCourt.Leaf.class, proof)),
                  List.of()));
      Wallet.Estimate e = wallet.estimate(court(), data);
      if (e.revert() != null) {
        String why = ContractErrors.describe(e.revert());
        if (why.contains("AuditsAlreadyDrawn")) {
          store.batchDone(b.batchId(), false);
        } else if (why.contains("SeedExpired")) {
          missed(b, why);
        } else {
          LOG.warnf("batch %d: drawing its audits is refused (%s); trying again", b.batchId(), why);
          store.batchSent(b.batchId());
        }
        continue;
      }
      // the draw is fixed by the seed block's hash: a batch none of whose answers is drawn is not
      // worth a transaction (nobody pays the relayer back for one)
      Optional<BigInteger> audited = wallet.call(court(), data).map(Numeric::toBigInt);
      if (audited.isPresent() && audited.get().signum() == 0) {
        LOG.debugf("batch %d: its seed draws no audit; nothing sent", b.batchId());
        store.batchDone(b.batchId(), false);
        metrics.court("audits_none", 1);
        continue;
      }
      wallet.send(TxKind.DRAW_AUDITS, court(), data, Settler.gasLimit(e.gas()), List.of());
      store.batchSent(b.batchId());
      metrics.court("audits_drawn", 1);
      sent++;
    }
    return sent;
  }

  private void missed(CourtStore.Batch b, String why) {
    LOG.warnf(
        "batch %d (%d answers, settled in block %d) was never audited: %s",
        b.batchId(), b.count(), b.settledBlock(), why);
    store.batchDone(b.batchId(), true);
    metrics.court("audits_missed", 1);
  }

  /** A settled answer as its batch's leaf: the request's fields, the output and its signers. */
  private SettlementRecords.Leaf leaf(CourtStore.Leaf l) throws IOException {
    InferenceHub.Request request = l.request();
    byte[] outputHash = Hashes.keccak256(l.output());
    List<String> signers = new ArrayList<>();
    for (ReceiptProofs.Proof p : ReceiptProofs.decode(l.proofs())) {
      InferenceReceipt receipt =
          new InferenceReceipt(
              BigInteger.valueOf(l.requestId()),
              l.modelHash(),
              request.inputHash,
              outputHash,
              p.executedAt());
      try {
        signers.add(ReceiptSigner.recover(receipt.digest(contracts.domain()), p.signature()));
      } catch (SignatureException e) {
        throw new IOException(
            "request " + l.requestId() + " was settled with a proof that does not recover", e);
      }
    }
    return new SettlementRecords.Leaf(l.requestId(), request, outputHash, signers);
  }

  // ---- juries

  private int drawJuries(long head) throws IOException {
    int sent = 0;
    for (CourtStore.Dispute d : store.awaitingJury(resendAfter, ROUND)) {
      if (head < d.seedBlock()) {
        continue;
      }
      String data =
          FunctionEncoder.encode(
              new Function(
                  DisputeCourt.FUNC_DRAWJURY,
                  List.<Type>of(new Uint256(d.disputeId())),
                  List.of()));
      if (send(TxKind.DRAW_JURY, data, "drawing the jury of dispute " + d.disputeId())) {
        metrics.court("jury_drawn", 1);
        sent++;
      }
      store.disputeSent(d.disputeId());
    }
    return sent;
  }

  private int dispatch() throws IOException, InterruptedException {
    int sent = 0;
    for (CourtStore.Dispute d : store.toDispatch(ROUND)) {
      var job = store.job(d.requestId());
      if (job.isEmpty()) {
        LOG.warnf(
            "dispute %d: request %d or its answer is unknown here; its jury gets no job from this relayer",
            d.disputeId(), d.requestId());
        store.dispatched(d.disputeId());
        continue;
      }
      // the tolerance the dispute opened with (a static tuple: web3j's generated decoder of the
      // whole Dispute struct fails inside Quarkus)
      org.web3j.tuples.generated.Tuple3<BigInteger, BigInteger, BigInteger> tolerance;
      try {
        tolerance = contracts.courtView().toleranceOf(BigInteger.valueOf(d.disputeId())).send();
      } catch (Exception e) {
        throw new IOException(
            "reading the tolerance of dispute " + d.disputeId() + ": " + e.getMessage(), e);
      }
      if (juries.publish(
          d,
          job.get(),
          tolerance.component1().intValueExact(),
          tolerance.component2().longValueExact(),
          tolerance.component3().longValueExact())) {
        store.dispatched(d.disputeId());
        metrics.court("jury_dispatched", 1);
        sent++;
      }
    }
    return sent;
  }

  // ---- verdicts and resolution

  private int submitVerdicts() throws IOException {
    List<CourtStore.Verdict> verdicts = store.verdictsToSubmit(resendAfter, maxVerdicts);
    if (verdicts.isEmpty()) {
      return 0;
    }
    String data = verdictsCall(verdicts);
    Wallet.Estimate e = wallet.estimate(court(), data);
    List<CourtStore.Verdict> sendable = verdicts;
    if (e.revert() != null && verdicts.size() > 1) {
      // one verdict the court refuses (recorded meanwhile, its window closed) must not hold up
      // the others: keep those it takes one by one
      sendable = new ArrayList<>();
      for (CourtStore.Verdict v : verdicts) {
        if (wallet.estimate(court(), verdictsCall(List.of(v))).revert() == null) {
          sendable.add(v);
        }
      }
      if (!sendable.isEmpty()) {
        data = verdictsCall(sendable);
        e = wallet.estimate(court(), data);
      }
    }
    store.verdictsSent(verdicts);
    if (sendable.isEmpty() || e.revert() != null) {
      LOG.infof(
          "%d verdicts are refused now (%s); the court's events say what happened",
          verdicts.size(), e.revert() == null ? "each alone" : ContractErrors.describe(e.revert()));
      return 0;
    }
    wallet.send(TxKind.VERDICTS, court(), data, Settler.gasLimit(e.gas()), List.of());
    metrics.court("verdicts_submitted", sendable.size());
    return 1;
  }

  private static String verdictsCall(List<CourtStore.Verdict> verdicts) {
    List<DisputeCourt.Verdict> list = new ArrayList<>(verdicts.size());
    for (CourtStore.Verdict v : verdicts) {
      list.add(
          new DisputeCourt.Verdict(
              BigInteger.valueOf(v.disputeId()), v.jurorOutputHash(), v.agrees(), v.signature()));
    }
    return FunctionEncoder.encode(
        new Function(
            DisputeCourt.FUNC_SUBMITVERDICTS,
            List.<Type>of(new DynamicArray<>(DisputeCourt.Verdict.class, list)),
            List.of()));
  }

  private int resolve(long chainTime) throws IOException {
    int sent = 0;
    for (CourtStore.Dispute d : store.dueForResolution(chainTime, resendAfter, ROUND)) {
      String data =
          FunctionEncoder.encode(
              new Function(
                  DisputeCourt.FUNC_RESOLVE, List.<Type>of(new Uint256(d.disputeId())), List.of()));
      if (send(TxKind.RESOLVE, data, "resolving dispute " + d.disputeId())) {
        metrics.court("resolve_sent", 1);
        sent++;
      }
      store.disputeSent(d.disputeId());
    }
    return sent;
  }

  /** Simulates, then sends; false (logged) when the court refuses it now. */
  private boolean send(TxKind kind, String data, String what) throws IOException {
    Wallet.Estimate e = wallet.estimate(court(), data);
    if (e.revert() != null) {
      LOG.infof(
          "%s is refused (%s); the court's events say what happened",
          what, ContractErrors.describe(e.revert()));
      return false;
    }
    wallet.send(kind, court(), data, Settler.gasLimit(e.gas()), List.of());
    return true;
  }
}
