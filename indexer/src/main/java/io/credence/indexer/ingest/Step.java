package io.credence.indexer.ingest;

import io.credence.indexer.store.IndexReads;
import io.credence.indexer.store.IngestStore;
import io.credence.indexer.store.LogPosition;
import io.credence.protocol.chain.LogFollower;
import io.credence.protocol.settlement.FeeSplit;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.web3j.protocol.core.methods.response.Log;

/**
 * The context of one step (one committed range of logs): where its rows go, what it reads back, the
 * requests its outcomes refer to, the events decoded and the signers recovered up front, the log at
 * hand and the block's summed credits. Made for a step and dropped after it, so nothing of a step
 * outlives it except what {@link Known} keeps of committed facts.
 *
 * <p>Confined to the thread that applies the step.
 */
final class Step {
  final IngestStore store;
  private final IndexReads reads;
  private final Known known;

  /** Requests of this step and the earlier ones its outcomes refer to, by id. */
  final Map<Long, IndexReads.Request> requests;

  /** Requests and settlements of this step, decoded once (on all cores). */
  final Map<Log, Object> decoded = new IdentityHashMap<>();

  /** Signers of this step's settlements, recovered in parallel before the rows are written. */
  final Map<Log, SignerRecovery.Signed> recovered = new IdentityHashMap<>();

  /** Disputes opened in this step, by id (earlier ones are read from the index). */
  final Map<Long, IndexReads.Dispute> disputes = new java.util.HashMap<>();

  /** FaultProven of a dispute, kept for its DisputeResolved (the same transaction's next log). */
  final Map<Long, Object> faults = new java.util.HashMap<>();

  /** What JurorPaid paid per dispute in this step (a resolution's logs are one transaction's). */
  final Map<Long, java.math.BigInteger> jurorPaid = new java.util.HashMap<>();

  /**
   * ModelParentAdded seen per model in this step: a model's parents are named in its registering
   * transaction only, in the registry's order, so the count is the next one's position.
   */
  final Map<Long, Integer> parentsAdded = new java.util.HashMap<>();

  private LogPosition at;
  private int seq;
  private BlockCredits credits;

  /**
   * A request the transaction at hand closed (settled, failed or expired), its outcome row waiting
   * for the transaction's GasReimbursed to say what its allowance paid.
   */
  record Closed(long requestId, IndexReads.Request request, Consumer<IngestStore.Gas> write) {}

  /** The transaction whose closed requests {@link #closed} holds, in the order of their events. */
  private String closingTx;

  private final List<Closed> closed = new ArrayList<>();

  /**
   * The last request of this step and its transaction (a signed request's GasReimbursed follows).
   */
  private String requestedTx;

  private long requestedId;

  Step(IngestStore store, IndexReads reads, Known known, Map<Long, IndexReads.Request> requests) {
    this.store = store;
    this.reads = reads;
    this.known = known;
    this.requests = requests;
  }

  /** Makes {@code l} the log at hand: its rows carry its block, index and transaction. */
  void begin(Log l) {
    // parsed once: every row of the log carries them
    at =
        new LogPosition(
            LogFollower.quantity(l.getBlockNumberRaw()),
            Math.toIntExact(LogFollower.quantity(l.getLogIndexRaw())),
            l.getTransactionHash());
    seq = 0;
  }

  /** Where the log at hand is. */
  LogPosition at() {
    return at;
  }

  /** The next ledger row's order within the log at hand. */
  int seq() {
    return seq++;
  }

  /** The credits of the block at hand (a new block writes the previous block's first). */
  BlockCredits credits() {
    if (credits == null || credits.block != at.block()) {
      finish();
      credits = new BlockCredits(at.block(), at.index());
    }
    return credits;
  }

  /** Writes what is summed per block; called at the step's end. */
  void finish() {
    if (credits != null) {
      credits.write(store);
      credits = null;
    }
    unreimbursed();
  }

  /**
   * Request {@code id} is closed by the log at hand; {@code write} writes its outcome once its
   * transaction's GasReimbursed is seen (or with unknown gas when there is none).
   */
  void closed(long id, IndexReads.Request request, Consumer<IngestStore.Gas> write) {
    if (!java.util.Objects.equals(at.tx(), closingTx)) {
      unreimbursed();
      closingTx = at.tx();
    }
    closed.add(new Closed(id, request, write));
  }

  /**
   * The requests closed by the transaction at hand, in event order, for its GasReimbursed (empty
   * when it closed none: a signed request's submission); the caller writes their outcomes.
   */
  List<Closed> reimbursed() {
    if (!java.util.Objects.equals(at.tx(), closingTx)) {
      unreimbursed();
      return List.of();
    }
    List<Closed> out = List.copyOf(closed);
    closed.clear();
    closingTx = null;
    return out;
  }

  /** Writes outcomes no GasReimbursed followed (a hub before gas allowances): gas unknown. */
  private void unreimbursed() {
    for (Closed c : closed) {
      c.write().accept(IngestStore.Gas.UNKNOWN);
    }
    closed.clear();
    closingTx = null;
  }

  /** Remembers the request the log at hand makes. */
  void requested(long id) {
    requestedTx = at.tx();
    requestedId = id;
  }

  /** The request made earlier in the transaction at hand, if any. */
  java.util.OptionalLong requestedInThisTx() {
    return requestedTx != null && requestedTx.equals(at.tx())
        ? java.util.OptionalLong.of(requestedId)
        : java.util.OptionalLong.empty();
  }

  IndexReads.Request request(long id) {
    IndexReads.Request r = requests.get(id);
    if (r == null) {
      throw new IllegalStateException(
          "request "
              + id
              + " has an outcome but was never requested on this hub (start block too late?)");
    }
    return r;
  }

  /** A model, from this step or read once from the index; empty when it is not indexed. */
  java.util.Optional<IndexReads.Model> knownModel(long id) throws SQLException {
    IndexReads.Model m = known.models.get(id);
    if (m == null) {
      m = reads.model(id).orElse(null);
      if (m != null) {
        known.models.put(id, m);
      }
    }
    return java.util.Optional.ofNullable(m);
  }

  IndexReads.Model model(long id) throws SQLException {
    return knownModel(id)
        .orElseThrow(() ->
            new IllegalStateException("model " + id + " is not indexed (start block too late?)"));
  }

  /** Remembers a model this step registers. */
  void registered(long id, IndexReads.Model model) {
    known.models.put(id, model);
  }

  /** Keys slashed or seized in this step. */
  final java.util.Set<String> banned = new java.util.HashSet<>();

  /**
   * Where the court pays a signer's share: its operator, or null (the protocol) once the key was
   * slashed or seized, when the registry forgets its operator.
   */
  String payee(String signer) throws SQLException {
    if (banned.contains(signer) || reads.banned(signer)) {
      return null;
    }
    return operator(signer);
  }

  /** A request of this step or stored before. */
  IndexReads.Request storedRequest(long id) throws SQLException {
    IndexReads.Request r = requests.get(id);
    if (r == null) {
      r = reads.requests(java.util.Set.of(id)).get(id);
      if (r == null) {
        throw new IllegalStateException(
            "request " + id + " is not indexed (start block too late?)");
      }
      requests.put(id, r);
    }
    return r;
  }

  /** A dispute opened in this step or stored before. */
  IndexReads.Dispute dispute(long id) throws SQLException {
    IndexReads.Dispute d = disputes.get(id);
    if (d == null) {
      d =
          reads
              .dispute(id)
              .orElseThrow(() ->
                  new IllegalStateException(
                      "dispute " + id + " is not indexed (start block too late?)"));
      disputes.put(id, d);
    }
    return d;
  }

  FeeSplit split() throws SQLException {
    if (known.split == null) {
      known.split =
          reads
              .split()
              .orElseThrow(() ->
                  new IllegalStateException(
                      "no SplitChanged indexed before a settlement (start block too late?)"));
    }
    return known.split;
  }

  void split(FeeSplit split) {
    known.split = split;
  }

  String operator(String signer) throws SQLException {
    String o = known.operators.get(signer);
    if (o == null) {
      o =
          reads
              .operator(signer)
              .orElseThrow(() ->
                  new IllegalStateException(
                      "worker " + signer + " is not indexed (start block too late?)"));
      known.operators.put(signer, o);
    }
    return o;
  }

  void operator(String signer, String operator) {
    known.operators.put(signer, operator);
  }
}
