package io.credence.relayer.chain;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.chain.LogFollower;
import io.credence.relayer.RelayerConfig;
import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.model.RequestState;
import io.credence.relayer.store.RequestStore;
import io.credence.relayer.store.RequestStore.ChainEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 */
@ApplicationScoped
public class ChainListener {
  private static final Logger LOG = Logger.getLogger(ChainListener.class);
  private static final String REQUESTED =
      EventEncoder.encode(InferenceHub.INFERENCEREQUESTED_EVENT);
  private static final String SETTLED = EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT);
  private static final String FAILED = EventEncoder.encode(InferenceHub.INFERENCEFAILED_EVENT);
  private static final String EXPIRED = EventEncoder.encode(InferenceHub.INFERENCEEXPIRED_EVENT);

  private final RequestStore requests;
  private final Contracts contracts;
  private final RelayerMetrics metrics;
  private final LogFollower follower;
  private volatile long lastBlock = -1;

  @Inject
  public ChainListener(
      RequestStore requests, Contracts contracts, RelayerConfig config, RelayerMetrics metrics) {
    this.requests = requests;
    this.contracts = contracts;
    this.metrics = metrics;
    RelayerConfig.Chain chain = config.chain();
    this.follower =
        new LogFollower(
            contracts.web3j(),
            List.of(contracts.hub()),
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
                e.input,
                model.hash(),
                model.uri(),
                model.quorum(),
                block,
                log.getBlockHash(),
                log.getTransactionHash()));
      } else if (SETTLED.equals(topic)) {
        out.add(
            closed(
                InferenceHub.getInferenceSettledEventFromLog(log).requestId.longValueExact(),
                RequestState.SETTLED,
                log));
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
      }
    }
    return out;
  }

  private static RequestStore.Closed closed(long requestId, RequestState state, Log log) {
    return new RequestStore.Closed(
        requestId, state, log.getBlockNumber().longValueExact(), log.getTransactionHash());
  }
}
