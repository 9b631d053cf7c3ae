package io.credence.relayer.chain;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.protocol.chain.LogFollower;
import io.credence.protocol.dispute.DisputeState;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.model.RequestState;
import io.credence.relayer.store.CourtStore;
import io.credence.relayer.store.RequestStore;
import io.credence.relayer.store.RequestStore.ChainEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Follows the hub's events into the request table: {@code InferenceRequested} makes a request row,
 * {@code InferenceSettled}, {@code InferenceFailed} and {@code InferenceExpired} close it. The
 * cursor (checkpoints) is written in the same transaction as what the logs change, so a crash
 * anywhere resumes exactly where the last commit left off.
 *
 * <p>On a reorg the requests of the dropped blocks are marked orphaned (never dispatched again
 * unless seen again) and requests closed in dropped blocks are reopened; a request id seen again
 * with the same fields is the same request and keeps its progress, one with different fields (ids
 * are sequential, so a reorg can give an id to another request) starts over ({@link RequestStore}).
 *
 * <p>With a DisputeCourt configured it also follows the court, and keeps what the court's work
 * needs ({@link CourtStore}): each settled answer and its proofs, each settlement batch ({@code
 * BatchSettled}), and each dispute's opening, jury, verdicts and resolution.
 */
@ApplicationScoped
public class ChainListener {
  private static final Logger LOG = Logger.getLogger(ChainListener.class);
  private static final String REQUESTED =
      EventEncoder.encode(InferenceHub.INFERENCEREQUESTED_EVENT);
  private static final String SETTLED = EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT);
  private static final String FAILED = EventEncoder.encode(InferenceHub.INFERENCEFAILED_EVENT);
  private static final String EXPIRED = EventEncoder.encode(InferenceHub.INFERENCEEXPIRED_EVENT);
  private static final String BATCH = EventEncoder.encode(InferenceHub.BATCHSETTLED_EVENT);
  private static final String OPENED = EventEncoder.encode(DisputeCourt.DISPUTEOPENED_EVENT);
  private static final String DRAWN = EventEncoder.encode(DisputeCourt.JURYDRAWN_EVENT);
  private static final String DEFERRED = EventEncoder.encode(DisputeCourt.JURYDRAWDEFERRED_EVENT);
  private static final String RECORDED = EventEncoder.encode(DisputeCourt.VERDICTRECORDED_EVENT);
  private static final String RESOLVED = EventEncoder.encode(DisputeCourt.DISPUTERESOLVED_EVENT);
  private static final String AUDITS = EventEncoder.encode(DisputeCourt.AUDITSDRAWN_EVENT);

  /** The seed of a challenge's jury is the hash of the block after the one it opened in. */
  private static final long SEED_DELAY = 1;

  private final RequestStore requests;
  private final Contracts contracts;
  private final RelayerMetrics metrics;
  private final LogFollower follower;
  private final boolean court;
  private volatile long lastBlock = -1;

  @Inject
  public ChainListener(
      RequestStore requests, Contracts contracts, RelayerConfig config, RelayerMetrics metrics) {
    this.requests = requests;
    this.contracts = contracts;
    this.metrics = metrics;
    RelayerConfig.Chain chain = config.chain();
    this.court = contracts.court().isPresent();
    List<String> followed = new ArrayList<>(List.of(contracts.hub()));
    contracts.court().ifPresent(followed::add);
    this.follower =
        new LogFollower(
            contracts.web3j(),
            followed,
            chain.confirmations(),
            chain.startBlock(),
            chain.initialRange(),
            chain.maxRange());
  }

  /** The last block processed, or -1 before the first. */
  public long lastBlock() {
    return lastBlock;
  }

  /**
   * Takes one step of following.
   *
   * @return true when there may be more to read right away
   */
  public boolean step() throws IOException {
    LogFollower.Step step = follower.next(requests.checkpoints());
    switch (step) {
      case LogFollower.Advance a -> {
        List<ChainEvent> events = decode(a.logs());
        requests
            .applyBlocks(events, a.to())
            .forEach(l -> metrics.closed(l.state().name(), l.sinceSeen()));
        lastBlock = a.to().number();
        return true;
      }
      case LogFollower.Rewind r -> {
        LOG.warnf(
            "reorg: block %d (%s) is no longer canonical; rewinding to block %d",
            r.replaced().number(), r.replaced().hash(), r.ancestor().number());
        RequestStore.Rewound undone = requests.rewind(r.ancestor().number());
        LOG.infof(
            "reorg handled: %d requests orphaned until seen again, %d closed requests reopened",
            undone.orphaned(), undone.reopened());
        metrics.reorg();
        return true;
      }
      case LogFollower.Idle i -> {
        return false;
      }
    }
  }

  /**
   * The hub's events in the logs, with what they need from outside the database (read before its
   * transaction).
   */
  private List<ChainEvent> decode(List<Log> logs) throws IOException {
    List<ChainEvent> out = new ArrayList<>(logs.size());
    Map<String, List<Long>> settledByTx = new HashMap<>();
    for (Log log : logs) {
      if (log.getTopics().isEmpty() || log.isRemoved()) {
        continue;
      }
      String topic = log.getTopics().get(0);
      long block = log.getBlockNumber().longValueExact();
      if (REQUESTED.equals(topic)) {
        var e = InferenceHub.getInferenceRequestedEventFromLog(log);
        Contracts.Model model = contracts.model(e.modelId.longValueExact());
        out.add(
            new RequestStore.Requested(
                e.requestId.longValueExact(),
                e.modelId.longValueExact(),
                e.requester.toLowerCase(Locale.ROOT),
                e.inputHash,
                e.fee,
                e.deadline.longValueExact(),
                e.callback.toLowerCase(Locale.ROOT),
                e.callbackGas.longValueExact(),
                e.gasAllowance,
                e.maxFeePerGas,
                e.input,
                model.hash(),
                model.uri(),
                model.quorum(),
                block,
                log.getBlockHash(),
                log.getTransactionHash()));
      } else if (SETTLED.equals(topic)) {
        var e = InferenceHub.getInferenceSettledEventFromLog(log);
        long id = e.requestId.longValueExact();
        out.add(closed(id, RequestState.SETTLED, log));
        if (court) {
          out.add(new CourtStore.Settled(id, e.output, e.proofs, block, log.getTransactionHash()));
          settledByTx.computeIfAbsent(log.getTransactionHash(), k -> new ArrayList<>()).add(id);
        }

      } else if (FAILED.equals(topic)) {
        out.add(
            closed(
                InferenceHub.getInferenceFailedEventFromLog(log).requestId.longValueExact(),
                RequestState.REFUNDED,
                log));
      } else if (EXPIRED.equals(topic)) {
        out.add(
            closed(
                InferenceHub.getInferenceExpiredEventFromLog(log).requestId.longValueExact(),
                RequestState.EXPIRED,
                log));
      } else if (court) {
        decodeCourt(log, topic, block, settledByTx).ifPresent(out::add);
      }
    }
    return out;
  }

  /**
   * The court's events, and the hub's {@code BatchSettled}: its requests are the last {@code count}
   * settled in its transaction (whose logs are all in this step: steps cover whole blocks).
   */
  private Optional<ChainEvent> decodeCourt(
      Log log, String topic, long block, Map<String, List<Long>> settledByTx) throws IOException {
    if (BATCH.equals(topic)) {
      var e = InferenceHub.getBatchSettledEventFromLog(log);
      List<Long> settled = settledByTx.getOrDefault(log.getTransactionHash(), List.of());
      int count = e.count.intValueExact();
      if (settled.size() < count) {
        LOG.warnf(
            "batch %s in transaction %s names %d answers but %d were read; its audits are not drawn here",
            e.batchId, log.getTransactionHash(), count, settled.size());
        return Optional.empty();
      }
      List<Long> ids = List.copyOf(settled.subList(settled.size() - count, settled.size()));
      return Optional.of(
          new CourtStore.BatchRecorded(
              e.batchId.longValueExact(),
              ids,
              block,
              contracts.blockTime(log.getBlockHash()),
              log.getTransactionHash()));
    } else if (OPENED.equals(topic)) {
      var e = DisputeCourt.getDisputeOpenedEventFromLog(log);
      return Optional.of(
          new CourtStore.Opened(
              e.disputeId.longValueExact(),
              e.requestId.longValueExact(),
              e.kind.intValueExact(),
              e.outputHash,
              block + SEED_DELAY,
              block));
    } else if (DRAWN.equals(topic)) {
      var e = DisputeCourt.getJuryDrawnEventFromLog(log);
      return Optional.of(
          new CourtStore.Drawn(
              e.disputeId.longValueExact(),
              e.jurors.stream().map(j -> j.toLowerCase(Locale.ROOT)).toList(),
              e.verdictDeadline.longValueExact(),
              block));
    } else if (DEFERRED.equals(topic)) {
      var e = DisputeCourt.getJuryDrawDeferredEventFromLog(log);
      return Optional.of(
          new CourtStore.Deferred(e.disputeId.longValueExact(), e.seedBlock.longValueExact()));
    } else if (RECORDED.equals(topic)) {
      var e = DisputeCourt.getVerdictRecordedEventFromLog(log);
      return Optional.of(
          new CourtStore.Recorded(
              e.disputeId.longValueExact(), e.juror.toLowerCase(Locale.ROOT), block));
    } else if (RESOLVED.equals(topic)) {
      var e = DisputeCourt.getDisputeResolvedEventFromLog(log);
      return Optional.of(
          new CourtStore.Resolved(
              e.disputeId.longValueExact(), DisputeState.ofCode(e.state.intValueExact()), block));
    } else if (AUDITS.equals(topic)) {
      var e = DisputeCourt.getAuditsDrawnEventFromLog(log);
      return Optional.of(new CourtStore.AuditsDrawn(e.batchId.longValueExact(), block));
    }
    return Optional.empty();
  }

  private static RequestStore.Closed closed(long requestId, RequestState state, Log log) {
    return new RequestStore.Closed(
        requestId, state, log.getBlockNumber().longValueExact(), log.getTransactionHash());
  }
}
