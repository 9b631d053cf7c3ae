package io.credence.indexer.ingest;

import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.HubEvents;
import io.credence.protocol.chain.LogFollower;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.store.Jdbc;
import java.math.BigInteger;
import java.security.SignatureException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Turns the logs of a range of blocks into rows of the indexer's schema, in chain order, inside
 * the caller's transaction. Every row is an insert tagged with its block, so a reorg is undone by
 * deleting what lies above the common ancestor ({@link #TABLES}).
 *
 * <p>What the events do not say is derived exactly as the contracts do: a settlement's split from
 * the request's fee, the split in force and the model's quorum; its signers by recovering the
 * proofs against the hub's EIP-712 domain; the operator each worker part is credited to from the
 * worker's registration; a pool distribution's shares by the vault's rule (contributor 0 takes the
 * rounding remainder).
 *
 * <p>Not thread-safe: one follower applies steps one after the other.
 */
public final class Ingest {
  /** Every table with rows tagged by block_number, in the order a rewind deletes them. */
  public static final List<String> TABLES =
      List.of(
          "split_change", "treasury_change", "dataset", "model", "model_change", "contributor", "worker", "stake_event", "request",
          "outcome", "outcome_signer", "request_note", "ledger", "pool_ledger", "protocol_ledger", "claim", "setting_change", "checkpoint");

  private static final BigInteger BPS = BigInteger.valueOf(10_000);
  private static final Set<String> OUTCOME_TOPICS =
      Set.of(
          HubEvents.SETTLED_TOPIC, EventEncoder.encode(InferenceHub.INFERENCEFAILED_EVENT), EventEncoder.encode(InferenceHub.INFERENCEEXPIRED_EVENT));
  private static final String MODEL_REGISTERED_TOPIC = EventEncoder.encode(ModelRegistry.MODELREGISTERED_EVENT);
  private static final int PROOF_BYTES = 73;

  private final String hub;
  private final String modelRegistry;
  private final String workerRegistry;
  private final Eip712Domain domain;
  private final Map<String, Handler> hubHandlers = new HashMap<>();
  private final Map<String, Handler> modelHandlers = new HashMap<>();
  private final Map<String, Handler> workerHandlers = new HashMap<>();

  // what earlier steps wrote, read once; cleared on a rewind or a failed step
  private final Map<Long, ModelInfo> models = new HashMap<>();
  private final Map<String, String> operators = new HashMap<>();
  private int[] split;

  // the step in progress
  private Connection c;
  private Rows rows;
  private Map<Long, Req> requests;
  /** Requests and settlements of this step, decoded once, on all cores. */
  private final Map<Log, Object> decoded = new java.util.IdentityHashMap<>();
  private long logBlock;
  private int logIndex;
  /** Signers of this step's settlements, recovered in parallel before the rows are written. */
  private final Map<Log, Signed> recovered = new java.util.IdentityHashMap<>();
  private Log log;
  private int seq;
  private Credits credits;

  @FunctionalInterface
  private interface Handler {
    void handle(Log log) throws SQLException;
  }

  /** A model as settlement and distribution need it. */
  public record ModelInfo(byte[] sha256, int quorum, List<Contributor> contributors) {}

  public record Contributor(String account, int role, int shareBps) {}

  /** Worker credits are summed per operator and model. */
  private record Credit(String account, long modelId) {}

  /** A block's settlement credits (see {@link #credits()}). */
  private record Credits(long block, int logIndex, Map<Credit, BigInteger> worker, Map<Long, BigInteger> pool, BigInteger[] protocol) {}

  /** A settlement's output hash and its signers, in proof order. */
  private record Signed(byte[] outputHash, String[] signers) {}

  /** A settlement whose signers are to be recovered, with the model hash they signed over. */
  private record Recovery(Log log, InferenceHub.InferenceSettledEventResponse event, Req request, byte[] modelHash) {}

  /** A request as its outcome needs it. */
  record Req(long modelId, String requester, byte[] inputHash, BigInteger fee) {}

  public Ingest(String hub, String modelRegistry, String workerRegistry, long chainId) {
    this.hub = hub.toLowerCase(Locale.ROOT);
    this.modelRegistry = modelRegistry.toLowerCase(Locale.ROOT);
    this.workerRegistry = workerRegistry.toLowerCase(Locale.ROOT);
    this.domain = Eip712Domain.credence(chainId, hub);
    on(hubHandlers, InferenceHub.INFERENCEREQUESTED_EVENT, this::requested);
    on(hubHandlers, InferenceHub.INFERENCESETTLED_EVENT, this::settled);
    on(hubHandlers, InferenceHub.INFERENCEFAILED_EVENT, this::failed);
    on(hubHandlers, InferenceHub.INFERENCEEXPIRED_EVENT, this::expired);
    on(hubHandlers, InferenceHub.RECEIPTSKIPPED_EVENT, this::skipped);
    on(hubHandlers, InferenceHub.CALLBACKFAILED_EVENT, this::callbackFailed);
    on(hubHandlers, InferenceHub.EQUIVOCATIONREPORTED_EVENT, this::equivocation);
    on(hubHandlers, InferenceHub.SPLITCHANGED_EVENT, this::splitChanged);
    on(hubHandlers, InferenceHub.TREASURYCHANGED_EVENT, this::treasuryChanged);
    on(hubHandlers, InferenceHub.PROTOCOLFEESCOLLECTED_EVENT, this::protocolCollected);
    on(hubHandlers, InferenceHub.MODELPOOLDISTRIBUTED_EVENT, this::distributed);
    on(hubHandlers, InferenceHub.CLAIMED_EVENT, this::claimed);
    on(modelHandlers, ModelRegistry.DATASETREGISTERED_EVENT, this::dataset);
    on(modelHandlers, ModelRegistry.MODELREGISTERED_EVENT, this::model);
    on(modelHandlers, ModelRegistry.CONTRIBUTORADDED_EVENT, this::contributor);
    on(modelHandlers, ModelRegistry.MODELVERSIONREGISTERED_EVENT, this::version);
    on(modelHandlers, ModelRegistry.MODELFEECHANGED_EVENT, this::feeChanged);
    on(modelHandlers, ModelRegistry.MODELRETIRED_EVENT, this::retired);
    on(modelHandlers, ModelRegistry.MODELOWNERSHIPTRANSFERSTARTED_EVENT, this::ownerPending);
    on(modelHandlers, ModelRegistry.MODELOWNERSHIPTRANSFERRED_EVENT, this::ownerChanged);
    on(workerHandlers, WorkerRegistry.WORKERREGISTERED_EVENT, this::workerRegistered);
    on(workerHandlers, WorkerRegistry.STAKEADDED_EVENT, this::stakeAdded);
    on(workerHandlers, WorkerRegistry.UNBONDINGSTARTED_EVENT, this::unbonding);
    on(workerHandlers, WorkerRegistry.STAKEWITHDRAWN_EVENT, this::withdrawn);
    on(workerHandlers, WorkerRegistry.WORKERSLASHED_EVENT, this::slashed);
    // settings and administration
    on(hubHandlers, InferenceHub.LIMITSCHANGED_EVENT, l -> {
      var e = InferenceHub.getLimitsChangedEventFromLog(l);
      setting("hub", "limits", "maxInputBytes=" + e.maxInputBytes + " maxCallbackGas=" + e.maxCallbackGas);
    });
    on(hubHandlers, InferenceHub.PAUSED_EVENT, l -> setting("hub", "paused", lower(InferenceHub.getPausedEventFromLog(l).account)));
    on(hubHandlers, InferenceHub.UNPAUSED_EVENT, l -> setting("hub", "unpaused", lower(InferenceHub.getUnpausedEventFromLog(l).account)));
    on(hubHandlers, InferenceHub.OWNERSHIPTRANSFERSTARTED_EVENT, l -> setting("hub", "ownerPending", lower(InferenceHub.getOwnershipTransferStartedEventFromLog(l).newOwner)));
    on(hubHandlers, InferenceHub.OWNERSHIPTRANSFERRED_EVENT, l -> setting("hub", "owner", lower(InferenceHub.getOwnershipTransferredEventFromLog(l).newOwner)));
    on(modelHandlers, ModelRegistry.HUBSET_EVENT, l -> setting("modelRegistry", "hub", lower(ModelRegistry.getHubSetEventFromLog(l).hub)));
    on(modelHandlers, ModelRegistry.OWNERSHIPTRANSFERSTARTED_EVENT, l -> setting("modelRegistry", "ownerPending", lower(ModelRegistry.getOwnershipTransferStartedEventFromLog(l).newOwner)));
    on(modelHandlers, ModelRegistry.OWNERSHIPTRANSFERRED_EVENT, l -> setting("modelRegistry", "owner", lower(ModelRegistry.getOwnershipTransferredEventFromLog(l).newOwner)));
    on(workerHandlers, WorkerRegistry.HUBSET_EVENT, l -> setting("workerRegistry", "hub", lower(WorkerRegistry.getHubSetEventFromLog(l).hub)));
    on(workerHandlers, WorkerRegistry.MINSTAKECHANGED_EVENT, l -> setting("workerRegistry", "minStake", WorkerRegistry.getMinStakeChangedEventFromLog(l).minStake.toString()));
    on(workerHandlers, WorkerRegistry.UNBONDINGDELAYCHANGED_EVENT, l -> setting("workerRegistry", "unbondingDelay", WorkerRegistry.getUnbondingDelayChangedEventFromLog(l).delay.toString()));
    on(workerHandlers, WorkerRegistry.SLASHREWARDCHANGED_EVENT, l -> setting("workerRegistry", "slashRewardBps", WorkerRegistry.getSlashRewardChangedEventFromLog(l).bps.toString()));
    on(workerHandlers, WorkerRegistry.OWNERSHIPTRANSFERSTARTED_EVENT, l -> setting("workerRegistry", "ownerPending", lower(WorkerRegistry.getOwnershipTransferStartedEventFromLog(l).newOwner)));
    on(workerHandlers, WorkerRegistry.OWNERSHIPTRANSFERRED_EVENT, l -> setting("workerRegistry", "owner", lower(WorkerRegistry.getOwnershipTransferredEventFromLog(l).newOwner)));
  }

  private void setting(String contract, String name, String value) throws SQLException {
    rows.add(
        "INSERT INTO setting_change (contract, name, value, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)", contract, name, value,
        block(), index(), tx());
  }

  private static void on(Map<String, Handler> handlers, Event event, Handler handler) {
    handlers.put(EventEncoder.encode(event), handler);
  }

  /** The contracts whose logs this ingests. */
  public List<String> addresses() {
    return List.of(hub, modelRegistry, workerRegistry);
  }

  /** Applies {@code logs} (chain order) in {@code connection}'s transaction. */
  public void apply(Connection connection, List<Log> logs) throws SQLException {
    c = connection;
    try (Rows r = new Rows(connection)) {
      rows = r;
      requests = preload(logs);
      recoverSigners(logs);
      for (Log l : logs) {
        if (l.isRemoved() || l.getTopics().isEmpty()) {
          continue;
        }
        Map<String, Handler> handlers =
            switch (l.getAddress().toLowerCase(Locale.ROOT)) {
              case String a when a.equals(hub) -> hubHandlers;
              case String a when a.equals(modelRegistry) -> modelHandlers;
              case String a when a.equals(workerRegistry) -> workerHandlers;
              default -> Map.of();
            };
        Handler h = handlers.get(l.getTopics().get(0));
        if (h != null) {
          log = l;
          logBlock = LogFollower.quantity(l.getBlockNumberRaw()); // parsed once: every row of the log carries them
          logIndex = Math.toIntExact(LogFollower.quantity(l.getLogIndexRaw()));
          seq = 0;
          h.handle(l);
        }
      }
      flushCredits();
      r.flush();
    } catch (SQLException | RuntimeException e) {
      forget();
      throw e;
    } finally {
      c = null;
      rows = null;
      requests = null;
      log = null;
      decoded.clear();
      recovered.clear();
      credits = null;
    }
  }

  /** Forgets what it read from earlier steps (after a rewind, or a step that failed). */
  public void forget() {
    models.clear();
    operators.clear();
    split = null;
  }

  // ------------------------------------------------------------------ requests and outcomes

  /** The requests this step's outcomes refer to that earlier steps stored, in one query. */
  private Map<Long, Req> preload(List<Log> logs) throws SQLException {
    Set<Long> ids = new HashSet<>();
    for (Log l : logs) {
      if (l.getTopics().size() > 1 && OUTCOME_TOPICS.contains(l.getTopics().get(0)) && l.getAddress().equalsIgnoreCase(hub)) {
        ids.add(new BigInteger(l.getTopics().get(1).substring(2), 16).longValueExact());
      }
    }
    Map<Long, Req> out = new HashMap<>();
    if (!ids.isEmpty()) {
      for (var e :
          Jdbc.query(
              c, "SELECT request_id, model_id, requester, input_hash, fee FROM request WHERE request_id = ANY (?)",
              rs -> Map.entry(rs.getLong(1), new Req(rs.getLong(2), rs.getString(3), rs.getBytes(4), Jdbc.wei(rs, "fee"))),
              (Object) ids.toArray(Long[]::new))) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /**
   * Recovering a signer is the costliest part of indexing (two elliptic-curve multiplications,
   * ~50 µs here with libsecp256k1); the settlements of a step are decoded and recovered on all
   * cores first. A settlement whose model or request is not known yet is recovered when its row
   * is written.
   */
  private void recoverSigners(List<Log> logs) throws SQLException {
    String requestedTopic = HubEvents.REQUESTED_TOPIC;
    String settledTopic = HubEvents.SETTLED_TOPIC;
    String modelTopic = MODEL_REGISTERED_TOPIC;
    Map<Long, Req> known = new HashMap<>(requests);
    Map<Long, byte[]> modelHashes = new HashMap<>();
    List<Recovery> jobs = new ArrayList<>();
    List<org.web3j.protocol.core.methods.response.BaseEventResponse> events =
        logs.parallelStream()
            .map(
                l -> {
                  if (l.isRemoved() || l.getTopics().isEmpty() || !l.getAddress().equalsIgnoreCase(hub)) {
                    return null;
                  }
                  String topic = l.getTopics().get(0);
                  return topic.equals(requestedTopic) ? HubEvents.requested(l) : topic.equals(settledTopic) ? HubEvents.settled(l) : null;
                })
            .toList();
    for (int i = 0; i < logs.size(); i++) {
      if (events.get(i) != null) {
        decoded.put(logs.get(i), events.get(i));
      }
    }
    for (Log l : logs) {
      if (l.isRemoved() || l.getTopics().isEmpty()) {
        continue;
      }
      String topic = l.getTopics().get(0);
      String address = l.getAddress().toLowerCase(Locale.ROOT);
      if (address.equals(modelRegistry) && topic.equals(modelTopic)) {
        var e = ModelRegistry.getModelRegisteredEventFromLog(l);
        modelHashes.put(e.modelId.longValueExact(), e.sha256);
      } else if (!address.equals(hub)) {
        continue;
      } else if (topic.equals(requestedTopic)) {
        var e = (InferenceHub.InferenceRequestedEventResponse) decoded.get(l);
        known.put(e.requestId.longValueExact(), new Req(e.modelId.longValueExact(), lower(e.requester), e.inputHash, e.fee));
      } else if (topic.equals(settledTopic)) {
        var e = (InferenceHub.InferenceSettledEventResponse) decoded.get(l);
        Req r = known.get(e.requestId.longValueExact());
        byte[] modelHash = r == null ? null : modelHashes.get(r.modelId());
        if (r != null && modelHash == null) {
          ModelInfo m = knownModel(r.modelId());
          modelHash = m == null ? null : m.sha256();
        }
        if (modelHash != null) {
          jobs.add(new Recovery(l, e, r, modelHash));
        }
      }
    }
    List<Signed> signed = jobs.parallelStream().map(j -> signers(j.event(), j.request(), j.modelHash())).toList();
    for (int i = 0; i < jobs.size(); i++) {
      recovered.put(jobs.get(i).log(), signed.get(i));
    }
  }

  private ModelInfo knownModel(long id) throws SQLException {
    ModelInfo m = models.get(id);
    if (m != null) {
      return m;
    }
    return Jdbc.one(c, "SELECT 1 FROM model WHERE model_id = ?", rs -> true, id).isPresent() ? model(id) : null;
  }

  /** The output hash of a settlement, and its signers from its proofs, in order. */
  private Signed signers(InferenceHub.InferenceSettledEventResponse e, Req r, byte[] modelHash) {
    byte[] outputHash = Hashes.keccak256(e.output);
    String[] out = new String[e.proofs.length / PROOF_BYTES];
    for (int k = 0; k < out.length; k++) {
      byte[] signature = Arrays.copyOfRange(e.proofs, k * PROOF_BYTES, k * PROOF_BYTES + 65);
      long executedAt = executedAt(e.proofs, k);
      byte[] digest = new InferenceReceipt(e.requestId, modelHash, r.inputHash(), outputHash, executedAt).digest(domain);
      try {
        out[k] = lower(ReceiptSigner.recover(digest, signature));
      } catch (SignatureException ex) {
        throw new IllegalStateException("request " + e.requestId + ": proof " + k + " does not recover, though the hub accepted it", ex);
      }
    }
    return new Signed(outputHash, out);
  }

  private static long executedAt(byte[] proofs, int k) {
    return new BigInteger(1, Arrays.copyOfRange(proofs, k * PROOF_BYTES + 65, (k + 1) * PROOF_BYTES)).longValueExact();
  }

  private void requested(Log l) throws SQLException {
    var e = (InferenceHub.InferenceRequestedEventResponse) decoded.get(l);
    long id = e.requestId.longValueExact();
    String requester = lower(e.requester);
    requests.put(id, new Req(e.modelId.longValueExact(), requester, e.inputHash, e.fee));
    rows.add(
        """
        INSERT INTO request (request_id, model_id, requester, input_hash, fee, deadline, callback, callback_gas, input, block_number,
                             log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        id, e.modelId.longValueExact(), requester, e.inputHash, e.fee, e.deadline.longValueExact(), lower(e.callback),
        e.callbackGas.longValueExact(), e.input, block(), index(), tx());
  }

  private void settled(Log l) throws SQLException {
    var e = (InferenceHub.InferenceSettledEventResponse) decoded.get(l);
    long id = e.requestId.longValueExact();
    Req r = request(id);
    ModelInfo m = model(r.modelId());
    int[] sp = split();
    BigInteger protocolPart = r.fee().multiply(BigInteger.valueOf(sp[0])).divide(BPS);
    BigInteger quorum = BigInteger.valueOf(m.quorum());
    BigInteger workerEach = r.fee().multiply(BigInteger.valueOf(sp[1])).divide(BPS).divide(quorum);
    BigInteger pool = r.fee().subtract(protocolPart).subtract(workerEach.multiply(quorum));
    Signed signed = recovered.get(l);
    if (signed == null) {
      signed = signers(e, r, m.sha256());
    }
    byte[] outputHash = signed.outputHash();
    byte[] proofs = e.proofs;
    String[] signers = signed.signers();
    Credits credits = credits();
    for (int k = 0; k < signers.length; k++) {
      byte[] signature = Arrays.copyOfRange(proofs, k * PROOF_BYTES, k * PROOF_BYTES + 65);
      String operator = operator(signers[k]);
      rows.add(
          "INSERT INTO outcome_signer (request_id, k, signer, operator, executed_at, signature, block_number) VALUES (?, ?, ?, ?, ?, ?, ?)",
          id, k, signers[k], operator, executedAt(proofs, k), signature, block());
      if (workerEach.signum() > 0) {
        credits.worker().merge(new Credit(operator, r.modelId()), workerEach, BigInteger::add);
      }
    }
    rows.add(
        """
        INSERT INTO outcome (request_id, kind, output, output_hash, proofs, protocol_part, worker_each, pool_part, block_number,
                             log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        id, "SETTLED", e.output, outputHash, proofs, protocolPart, workerEach, pool, block(), index(), tx());
    if (pool.signum() > 0) {
      credits.pool().merge(r.modelId(), pool, BigInteger::add);
    }
    credits.protocol()[0] = credits.protocol()[0].add(protocolPart);
  }

  /**
   * The settlement credits of this log's block, summed. A block of a busy hub settles hundreds of
   * requests whose worker parts go to a handful of operators and whose pools to a handful of
   * models: they are written as one ledger row per operator and model, one pool row per model
   * and one protocol row per block (tagged with the block's first settlement), which keeps the
   * ledgers, and the sums the API takes over them, small. Each settlement's own split stays in
   * its outcome row. Summed per block, not per step, so the rows do not depend on how the chain
   * was cut into steps (a re-index after a reorg writes the same rows).
   */
  private Credits credits() throws SQLException {
    if (credits == null || credits.block() != block()) {
      flushCredits();
      credits = new Credits(block(), index(), new LinkedHashMap<>(), new LinkedHashMap<>(), new BigInteger[] {BigInteger.ZERO});
    }
    return credits;
  }

  private void flushCredits() throws SQLException {
    Credits cr = credits;
    credits = null;
    if (cr == null) {
      return;
    }
    int k = 0;
    for (Map.Entry<Credit, BigInteger> e : cr.worker().entrySet()) {
      rows.add(
          """
          INSERT INTO ledger (account, kind, role, amount, model_id, request_id, block_number, log_index, seq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
          e.getKey().account(), "WORKER", null, e.getValue(), e.getKey().modelId(), null, cr.block(), cr.logIndex(), k++);
    }
    for (Map.Entry<Long, BigInteger> e : cr.pool().entrySet()) {
      rows.add(
          "INSERT INTO pool_ledger (model_id, amount, request_id, block_number, log_index) VALUES (?, ?, ?, ?, ?)", e.getKey(), e.getValue(), null,
          cr.block(), cr.logIndex());
    }
    if (cr.protocol()[0].signum() > 0) {
      rows.add(
          "INSERT INTO protocol_ledger (amount, kind, block_number, log_index) VALUES (?, ?, ?, ?)", cr.protocol()[0], "SETTLEMENT", cr.block(),
          cr.logIndex());
    }
  }

  private void failed(Log l) throws SQLException {
    var e = InferenceHub.getInferenceFailedEventFromLog(l);
    long id = e.requestId.longValueExact();
    Req r = request(id);
    for (int k = 0; k < e.signers.size(); k++) {
      String signer = lower(e.signers.get(k));
      rows.add(
          "INSERT INTO outcome_signer (request_id, k, signer, operator, block_number) VALUES (?, ?, ?, ?, ?)", id, k, signer,
          operator(signer), block());
    }
    rows.add(
        """
        INSERT INTO outcome (request_id, kind, reason, detail_hash, refund, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        id, "FAILED", e.reason.intValue(), e.detailHash, e.refund, block(), index(), tx());
    ledger(r.requester(), "REFUND", null, e.refund, r.modelId(), id);
  }

  private void expired(Log l) throws SQLException {
    var e = InferenceHub.getInferenceExpiredEventFromLog(l);
    long id = e.requestId.longValueExact();
    Req r = request(id);
    rows.add(
        "INSERT INTO outcome (request_id, kind, refund, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)", id, "EXPIRED", e.refund,
        block(), index(), tx());
    ledger(r.requester(), "REFUND", null, e.refund, r.modelId(), id);
  }

  private void skipped(Log l) throws SQLException {
    var e = InferenceHub.getReceiptSkippedEventFromLog(l);
    note(e.requestId, "RECEIPT_SKIPPED", "reason " + e.reason);
  }

  private void callbackFailed(Log l) throws SQLException {
    var e = InferenceHub.getCallbackFailedEventFromLog(l);
    note(e.requestId, "CALLBACK_FAILED", lower(e.callback));
  }

  private void equivocation(Log l) throws SQLException {
    var e = InferenceHub.getEquivocationReportedEventFromLog(l);
    note(
        e.requestId, "EQUIVOCATION",
        "signer " + lower(e.signer) + " signed " + Hashes.hex(e.outputHashA) + " and " + Hashes.hex(e.outputHashB) + "; reported by "
            + lower(e.reporter) + ", slashed " + e.slashed + " wei");
  }

  private void note(BigInteger requestId, String kind, String detail) throws SQLException {
    rows.add(
        "INSERT INTO request_note (request_id, kind, detail, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)",
        requestId.longValueExact(), kind, detail, block(), index(), tx());
  }

  private Req request(long id) throws SQLException {
    Req r = requests.get(id);
    if (r == null) {
      throw new IllegalStateException("request " + id + " has an outcome but was never requested on this hub (start block too late?)");
    }
    return r;
  }

  // ------------------------------------------------------------------ money

  private void splitChanged(Log l) throws SQLException {
    var e = InferenceHub.getSplitChangedEventFromLog(l);
    split = new int[] {e.protocolBps.intValue(), e.workerBps.intValue()};
    rows.add("INSERT INTO split_change (block_number, log_index, protocol_bps, worker_bps) VALUES (?, ?, ?, ?)", block(), index(), split[0], split[1]);
  }

  private void treasuryChanged(Log l) throws SQLException {
    var e = InferenceHub.getTreasuryChangedEventFromLog(l);
    rows.add(
        "INSERT INTO treasury_change (block_number, log_index, previous, treasury) VALUES (?, ?, ?, ?)", block(), index(), lower(e.previous),
        lower(e.treasury));
  }

  private void protocolCollected(Log l) throws SQLException {
    var e = InferenceHub.getProtocolFeesCollectedEventFromLog(l);
    protocol(e.amount.negate(), "COLLECTED");
    ledger(lower(e.treasury), "PROTOCOL", null, e.amount, null, null);
  }

  private void distributed(Log l) throws SQLException {
    var e = InferenceHub.getModelPoolDistributedEventFromLog(l);
    long modelId = e.modelId.longValueExact();
    ModelInfo m = model(modelId);
    BigInteger[] shares = shares(e.amount, m.contributors());
    for (int j = 0; j < shares.length; j++) {
      if (shares[j].signum() > 0) {
        Contributor ct = m.contributors().get(j);
        ledger(ct.account(), "SHARE", ct.role(), shares[j], modelId, null);
      }
    }
    rows.add(
        "INSERT INTO pool_ledger (model_id, amount, block_number, log_index) VALUES (?, ?, ?, ?)", modelId, e.amount.negate(), block(),
        index());
  }

  /** The vault's division of a pool: contributor j ≥ 1 floor(pool · share / 10 000), contributor 0 the rest. */
  public static BigInteger[] shares(BigInteger pool, List<Contributor> contributors) {
    BigInteger[] out = new BigInteger[contributors.size()];
    BigInteger given = BigInteger.ZERO;
    for (int j = 1; j < out.length; j++) {
      out[j] = pool.multiply(BigInteger.valueOf(contributors.get(j).shareBps())).divide(BPS);
      given = given.add(out[j]);
    }
    if (out.length > 0) {
      out[0] = pool.subtract(given);
    }
    return out;
  }

  private void claimed(Log l) throws SQLException {
    var e = InferenceHub.getClaimedEventFromLog(l);
    String account = lower(e.account);
    rows.add(
        "INSERT INTO claim (account, to_address, amount, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)", account, lower(e.to),
        e.amount, block(), index(), tx());
    ledger(account, "CLAIM", null, e.amount.negate(), null, null);
  }

  private void ledger(String account, String kind, Integer role, BigInteger amount, Long modelId, Long requestId) throws SQLException {
    rows.add(
        """
        INSERT INTO ledger (account, kind, role, amount, model_id, request_id, block_number, log_index, seq)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        account, kind, role, amount, modelId, requestId, block(), index(), seq++);
  }

  private void protocol(BigInteger amount, String kind) throws SQLException {
    rows.add("INSERT INTO protocol_ledger (amount, kind, block_number, log_index) VALUES (?, ?, ?, ?)", amount, kind, block(), index());
  }

  private int[] split() throws SQLException {
    if (split == null) {
      split =
          Jdbc.one(
                  c, "SELECT protocol_bps, worker_bps FROM split_change ORDER BY block_number DESC, log_index DESC LIMIT 1",
                  rs -> new int[] {rs.getInt(1), rs.getInt(2)})
              .orElseThrow(() -> new IllegalStateException("no SplitChanged indexed before a settlement (start block too late?)"));
    }
    return split;
  }

  // ------------------------------------------------------------------ models and datasets

  private void dataset(Log l) throws SQLException {
    var e = ModelRegistry.getDatasetRegisteredEventFromLog(l);
    rows.add(
        "INSERT INTO dataset (sha256, provider, uri, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)", e.sha256, lower(e.provider),
        e.uri, block(), index(), tx());
  }

  private void model(Log l) throws SQLException {
    var e = ModelRegistry.getModelRegisteredEventFromLog(l);
    long id = e.modelId.longValueExact();
    models.put(id, new ModelInfo(e.sha256, e.quorum.intValue(), new ArrayList<>()));
    rows.add(
        """
        INSERT INTO model (model_id, owner, sha256, uri, fee, quorum, contributor_count, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        id, lower(e.owner), e.sha256, e.uri, e.feeWei, e.quorum.intValue(), e.contributorCount.intValue(), block(), index(), tx());
  }

  private void contributor(Log l) throws SQLException {
    var e = ModelRegistry.getContributorAddedEventFromLog(l);
    long modelId = e.modelId.longValueExact();
    Contributor ct = new Contributor(lower(e.account), e.role.intValue(), e.shareBps.intValue());
    ModelInfo m = models.get(modelId);
    if (m != null) {
      m.contributors().add(ct);
    }
    boolean noDataset = Arrays.equals(e.dataset, new byte[32]);
    rows.add(
        "INSERT INTO contributor (model_id, idx, account, role, share_bps, dataset, block_number) VALUES (?, ?, ?, ?, ?, ?, ?)", modelId,
        e.index.intValue(), ct.account(), ct.role(), ct.shareBps(), noDataset ? null : e.dataset, block());
  }

  private void version(Log l) throws SQLException {
    var e = ModelRegistry.getModelVersionRegisteredEventFromLog(l);
    change(e.modelId, "VERSION_OF", e.predecessor.toString());
  }

  private void feeChanged(Log l) throws SQLException {
    var e = ModelRegistry.getModelFeeChangedEventFromLog(l);
    change(e.modelId, "FEE", e.newFeeWei.toString());
  }

  private void retired(Log l) throws SQLException {
    change(ModelRegistry.getModelRetiredEventFromLog(l).modelId, "RETIRED", null);
  }

  private void ownerPending(Log l) throws SQLException {
    var e = ModelRegistry.getModelOwnershipTransferStartedEventFromLog(l);
    change(e.modelId, "OWNER_PENDING", lower(e.pendingOwner));
  }

  private void ownerChanged(Log l) throws SQLException {
    var e = ModelRegistry.getModelOwnershipTransferredEventFromLog(l);
    change(e.modelId, "OWNER", lower(e.newOwner));
  }

  private void change(BigInteger modelId, String kind, String value) throws SQLException {
    rows.add(
        "INSERT INTO model_change (model_id, kind, value, block_number, log_index) VALUES (?, ?, ?, ?, ?)", modelId.longValueExact(), kind,
        value, block(), index());
  }

  private ModelInfo model(long id) throws SQLException {
    ModelInfo m = models.get(id);
    if (m != null) {
      return m;
    }
    ModelInfo loaded =
        Jdbc.one(c, "SELECT sha256, quorum FROM model WHERE model_id = ?", rs -> new ModelInfo(rs.getBytes(1), rs.getInt(2), new ArrayList<>()), id)
            .orElseThrow(() -> new IllegalStateException("model " + id + " is not indexed (start block too late?)"));
    loaded
        .contributors()
        .addAll(
            Jdbc.query(
                c, "SELECT account, role, share_bps FROM contributor WHERE model_id = ? ORDER BY idx",
                rs -> new Contributor(rs.getString(1), rs.getInt(2), rs.getInt(3)), id));
    models.put(id, loaded);
    return loaded;
  }

  // ------------------------------------------------------------------ workers

  private void workerRegistered(Log l) throws SQLException {
    var e = WorkerRegistry.getWorkerRegisteredEventFromLog(l);
    String signer = lower(e.signer);
    operators.put(signer, lower(e.operator));
    rows.add("INSERT INTO worker (signer, operator, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?)", signer, lower(e.operator), block(), index(), tx());
    stake(signer, "REGISTERED", e.stake, e.stake, null, null, null);
  }

  private void stakeAdded(Log l) throws SQLException {
    var e = WorkerRegistry.getStakeAddedEventFromLog(l);
    stake(lower(e.signer), "ADDED", e.amount, e.stake, null, null, null);
  }

  private void unbonding(Log l) throws SQLException {
    var e = WorkerRegistry.getUnbondingStartedEventFromLog(l);
    stake(lower(e.signer), "UNBONDING", e.amount, e.stake, e.availableAt.longValueExact(), null, null);
  }

  private void withdrawn(Log l) throws SQLException {
    var e = WorkerRegistry.getStakeWithdrawnEventFromLog(l);
    stake(lower(e.signer), "WITHDRAWN", e.amount, null, null, null, null);
  }

  private void slashed(Log l) throws SQLException {
    var e = WorkerRegistry.getWorkerSlashedEventFromLog(l);
    String reporter = lower(e.reporter);
    stake(lower(e.signer), "SLASHED", e.amount, BigInteger.ZERO, null, reporter, e.reward);
    // the registry sends the whole stake to the hub: the reward to the reporter, the rest to the protocol
    if (e.reward.signum() > 0) {
      ledger(reporter, "SLASH_REWARD", null, e.reward, null, null);
    }
    BigInteger rest = e.amount.subtract(e.reward);
    if (rest.signum() > 0) {
      protocol(rest, "SLASH");
    }
  }

  private void stake(String signer, String kind, BigInteger amount, BigInteger stake, Long availableAt, String reporter, BigInteger reward)
      throws SQLException {
    rows.add(
        """
        INSERT INTO stake_event (signer, kind, amount, stake, available_at, reporter, reward, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        signer, kind, amount, stake, availableAt, reporter, reward, block(), index(), tx());
  }

  private String operator(String signer) throws SQLException {
    String o = operators.get(signer);
    if (o == null) {
      o =
          Jdbc.one(c, "SELECT operator FROM worker WHERE signer = ?", rs -> rs.getString(1), signer)
              .orElseThrow(() -> new IllegalStateException("worker " + signer + " is not indexed (start block too late?)"));
      operators.put(signer, o);
    }
    return o;
  }

  // ------------------------------------------------------------------ the log at hand

  private long block() {
    return logBlock;
  }

  private int index() {
    return logIndex;
  }

  private String tx() {
    return log.getTransactionHash();
  }

  private static String lower(String address) {
    return address.toLowerCase(Locale.ROOT);
  }
}
