package io.credence.indexer.ingest;

import io.credence.contracts.InferenceHub;
import io.credence.indexer.store.IndexReads;
import io.credence.indexer.store.IngestStore;
import io.credence.indexer.store.JdbcIndexReads;
import io.credence.indexer.store.RowSink;
import io.credence.indexer.store.Rows;
import io.credence.protocol.chain.HubEvents;
import io.credence.protocol.receipt.Eip712Domain;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Turns the logs of a range of blocks into rows of the indexer's schema, in chain order, inside the
 * caller's transaction. Each log goes to its contract's ingest ({@link HubIngest}, {@link
 * ModelRegistryIngest}, {@link WorkerRegistryIngest}, {@link CourtIngest}) with the step's context
 * ({@link Step}); every row is an insert tagged with its block, so a reorg is undone by deleting
 * what lies above the common ancestor ({@link IngestStore#rewind}).
 *
 * <p>Not thread-safe: one follower applies steps one after the other.
 */
public final class Ingest {
  private static final Set<String> OUTCOME_TOPICS =
      Set.of(
          HubEvents.SETTLED_TOPIC,
          EventEncoder.encode(InferenceHub.INFERENCEFAILED_EVENT),
          EventEncoder.encode(InferenceHub.INFERENCEEXPIRED_EVENT));

  private final HubIngest hub;
  private final ModelRegistryIngest modelRegistry;
  private final WorkerRegistryIngest workerRegistry;
  private final CourtIngest court;
  private final SignerRecovery recovery;
  private final Known known = new Known();

  /** The contracts of a deployment without a DisputeCourt. */
  public Ingest(String hub, String modelRegistry, String workerRegistry, long chainId) {
    this(hub, modelRegistry, workerRegistry, null, chainId);
  }

  /**
   * The contracts of a deployment; {@code court} (the DisputeCourt) may be null when there is none.
   */
  public Ingest(
      String hub, String modelRegistry, String workerRegistry, String court, long chainId) {
    this.recovery = new SignerRecovery(hub, modelRegistry, Eip712Domain.credence(chainId, hub));
    this.hub = new HubIngest(hub, court, recovery);
    this.modelRegistry = new ModelRegistryIngest(modelRegistry);
    this.workerRegistry = new WorkerRegistryIngest(workerRegistry);
    this.court = court == null ? null : new CourtIngest(court);
  }

  /** The contracts whose logs this ingests. */
  public List<String> addresses() {
    return court == null
        ? List.of(hub.address(), modelRegistry.address(), workerRegistry.address())
        : List.of(
            hub.address(), modelRegistry.address(), workerRegistry.address(), court.address());
  }

  /** How many events of the contracts are followed. */
  public int events() {
    return hub.events()
        + modelRegistry.events()
        + workerRegistry.events()
        + (court == null ? 0 : court.events());
  }

  /** Applies {@code logs} (chain order) in {@code connection}'s transaction. */
  public void apply(Connection connection, List<Log> logs) throws SQLException {
    try (Rows rows = new Rows(connection)) {
      apply(rows, new JdbcIndexReads(connection), logs);
      rows.flush();
    } catch (SQLException | RuntimeException e) {
      forget();
      throw e;
    }
  }

  /**
   * Applies {@code logs} with rows going to {@code sink} and facts of earlier steps read from
   * {@code reads}.
   */
  void apply(RowSink sink, IndexReads reads, List<Log> logs) throws SQLException {
    Step step =
        new Step(
            new IngestStore(sink),
            reads,
            known,
            new HashMap<>(reads.requests(outcomeRequests(logs))));
    recovery.prepare(step, logs);
    for (Log l : logs) {
      if (l.isRemoved() || l.getTopics().isEmpty()) {
        continue;
      }
      String address = ContractIngest.lower(l.getAddress());
      ContractIngest contract =
          address.equals(hub.address())
              ? hub
              : address.equals(modelRegistry.address())
                  ? modelRegistry
                  : address.equals(workerRegistry.address())
                      ? workerRegistry
                      : court != null && address.equals(court.address()) ? court : null;
      if (contract != null) {
        contract.apply(step, l);
      }
    }
    step.finish();
  }

  /** Forgets what it read from earlier steps (after a rewind, or a step that failed). */
  public void forget() {
    known.forget();
  }

  /** The requests this step's outcomes refer to: read from the index in one query. */
  private Set<Long> outcomeRequests(List<Log> logs) {
    Set<Long> ids = new HashSet<>();
    for (Log l : logs) {
      if (l.getTopics().size() > 1
          && OUTCOME_TOPICS.contains(l.getTopics().get(0))
          && l.getAddress().equalsIgnoreCase(hub.address())) {
        ids.add(new BigInteger(l.getTopics().get(1).substring(2), 16).longValueExact());
      }
    }
    return ids;
  }
}
