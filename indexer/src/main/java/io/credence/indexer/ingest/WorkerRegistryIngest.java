package io.credence.indexer.ingest;

import io.credence.contracts.WorkerRegistry;
import java.math.BigInteger;
import org.web3j.protocol.core.methods.response.Log;

/** The WorkerRegistry's events: worker keys, their stake's history, slashes, settings. */
final class WorkerRegistryIngest extends ContractIngest {
  WorkerRegistryIngest(String workerRegistry) {
    super(workerRegistry);
    on(
        WorkerRegistry.WORKERREGISTERED_EVENT,
        (s, l) -> {
          var e = WorkerRegistry.getWorkerRegisteredEventFromLog(l);
          String signer = lower(e.signer);
          s.operator(signer, lower(e.operator));
          s.store.worker(s.at(), signer, lower(e.operator));
          s.store.stake(s.at(), signer, "REGISTERED", e.stake, e.stake, null, null, null);
        });
    on(
        WorkerRegistry.STAKEADDED_EVENT,
        (s, l) -> {
          var e = WorkerRegistry.getStakeAddedEventFromLog(l);
          s.store.stake(s.at(), lower(e.signer), "ADDED", e.amount, e.stake, null, null, null);
        });
    on(
        WorkerRegistry.UNBONDINGSTARTED_EVENT,
        (s, l) -> {
          var e = WorkerRegistry.getUnbondingStartedEventFromLog(l);
          s.store.stake(
              s.at(),
              lower(e.signer),
              "UNBONDING",
              e.amount,
              e.stake,
              e.availableAt.longValueExact(),
              null,
              null);
        });
    on(
        WorkerRegistry.STAKEWITHDRAWN_EVENT,
        (s, l) -> {
          var e = WorkerRegistry.getStakeWithdrawnEventFromLog(l);
          s.store.stake(s.at(), lower(e.signer), "WITHDRAWN", e.amount, null, null, null, null);
        });
    on(WorkerRegistry.WORKERSLASHED_EVENT, WorkerRegistryIngest::slashed);
    on(
        WorkerRegistry.STAKESEIZED_EVENT,
        (s, l) -> {
          // the court's: the whole stake goes to the court, which pays it out at the resolution
          var e = WorkerRegistry.getStakeSeizedEventFromLog(l);
          String signer = lower(e.signer);
          s.banned.add(signer);
          s.store.stake(s.at(), signer, "SEIZED", e.amount, BigInteger.ZERO, null, null, null);
        });
    on(
        WorkerRegistry.COURTSET_EVENT,
        (s, l) -> setting(s, "court", lower(WorkerRegistry.getCourtSetEventFromLog(l).court)));
    on(
        WorkerRegistry.HUBSET_EVENT,
        (s, l) -> setting(s, "hub", lower(WorkerRegistry.getHubSetEventFromLog(l).hub)));
    on(
        WorkerRegistry.MINSTAKECHANGED_EVENT,
        (s, l) ->
            setting(
                s,
                "minStake",
                WorkerRegistry.getMinStakeChangedEventFromLog(l).minStake.toString()));
    on(
        WorkerRegistry.UNBONDINGDELAYCHANGED_EVENT,
        (s, l) ->
            setting(
                s,
                "unbondingDelay",
                WorkerRegistry.getUnbondingDelayChangedEventFromLog(l).delay.toString()));
    on(
        WorkerRegistry.SLASHREWARDCHANGED_EVENT,
        (s, l) ->
            setting(
                s,
                "slashRewardBps",
                WorkerRegistry.getSlashRewardChangedEventFromLog(l).bps.toString()));
    on(
        WorkerRegistry.OWNERSHIPTRANSFERSTARTED_EVENT,
        (s, l) ->
            setting(
                s,
                "ownerPending",
                lower(WorkerRegistry.getOwnershipTransferStartedEventFromLog(l).newOwner)));
    on(
        WorkerRegistry.OWNERSHIPTRANSFERRED_EVENT,
        (s, l) ->
            setting(
                s, "owner", lower(WorkerRegistry.getOwnershipTransferredEventFromLog(l).newOwner)));
  }

  private static void slashed(Step s, Log l) {
    var e = WorkerRegistry.getWorkerSlashedEventFromLog(l);
    s.banned.add(lower(e.signer));
    String reporter = lower(e.reporter);
    s.store.stake(
        s.at(), lower(e.signer), "SLASHED", e.amount, BigInteger.ZERO, null, reporter, e.reward);
    // the registry sends the whole stake to the hub: the reward to the reporter, the rest to the
    // protocol
    if (e.reward.signum() > 0) {
      s.store.ledger(s.at(), s.seq(), reporter, "SLASH_REWARD", null, e.reward, null, null);
    }
    BigInteger rest = e.amount.subtract(e.reward);
    if (rest.signum() > 0) {
      s.store.protocol(s.at().block(), s.at().index(), rest, "SLASH");
    }
  }

  private static void setting(Step s, String name, String value) {
    s.store.setting(s.at(), "workerRegistry", name, value);
  }
}
