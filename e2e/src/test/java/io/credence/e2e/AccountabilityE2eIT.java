package io.credence.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.process.ManagedProcess;
import io.credence.protocol.dispute.DisputeState;
import io.credence.protocol.dispute.Tolerance;
import io.credence.testkit.network.LocalNetwork;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * Answers that can be caught, end to end: packaged relayer and workers on a real chain, broker and
 * database, every answer of the model audited (audit rate 100 %), outputs compared within 8 ulps or
 * 1e-6. Three honest workers and a fourth key that runs first as a worker whose outputs differ only
 * within the tolerance (never at fault), then as a liar that perturbs every output (every lie
 * audited, proven, the liar slashed, every requester refunded). A challenge against an honest
 * answer loses its bond. No honest key is ever slashed.
 */
class AccountabilityE2eIT {
  private static final Credentials DAPP = AnvilNode.devAccount(5);
  private static final Credentials CHALLENGER = AnvilNode.devAccount(9);
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final int LIAR = 3;

  @Test
  void liesAreCaughtHonestWorkIsNot() throws Exception {
    try (LocalNetwork net = LocalNetwork.create("accountability")) {
      net.setAuditTerms(1, 10_000, 3, new Tolerance(Tolerance.CLOSE, 8, 1_000));
      DisputeCourt court = net.courtAs(DAPP);
      InferenceHub hub = net.hubAs(DAPP);
      ManagedProcess relayer = net.startRelayer("court");
      // the honest keys first sit on juries only: their jobs come from a topic nobody writes to
      List<ManagedProcess> honest = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          honest.add(net.startJuror(i));
        }
        // 1. the fourth key answers every job, each float moved by one ulp: within the tolerance
        List<Long> nudged = requests(net, 3, 0);
        ManagedProcess nudging =
            net.startWorker(
                LIAR,
                Map.of(
                    "credence.worker.lie.rate",
                    "1",
                    "credence.worker.lie.within-tolerance",
                    "true"));
        awaitSettled(net, nudged);
        awaitResolved(net, court, nudged);
        for (long id : nudged) {
          assertThat(stateOf(net, court, id))
              .as("an answer within the tolerance is upheld (request %d)", id)
              .isEqualTo(DisputeState.UPHELD);
        }
        assertThat(active(net, LIAR)).as("never at fault within the tolerance").isTrue();
        nudging.stop(Duration.ofSeconds(10));

        // 2. the same key lies on every output; the requests wait for it in Kafka, so it answers
        // them all before the first lie is proven
        BigInteger dappBefore = hub.balanceOf(DAPP.getAddress()).send();
        List<Long> lies = requests(net, 3, 100);
        ManagedProcess liar = net.startWorker(LIAR, Map.of("credence.worker.lie.rate", "1"));
        awaitSettled(net, lies);
        awaitResolved(net, court, lies);
        for (long id : lies) {
          assertThat(stateOf(net, court, id))
              .as("every lie is proven (request %d)", id)
              .isEqualTo(DisputeState.FAULT_PROVEN);
          assertThat(court.faultOf(BigInteger.valueOf(id)).send()).isPositive();
        }
        assertThat(active(net, LIAR)).as("the liar lost its stake").isFalse();
        BigInteger allowancesReturned = BigInteger.ZERO;
        for (long id : lies) {
          allowancesReturned = allowancesReturned.add(net.gasReturned(id));
        }
        assertThat(hub.balanceOf(DAPP.getAddress()).send().subtract(dappBefore))
            .as(
                "every requester lied to is refunded its fee (its allowance's rest came back at settlement)")
            .isEqualTo(
                LocalNetwork.FEE.multiply(BigInteger.valueOf(lies.size())).add(allowancesReturned));
        liar.stop(Duration.ofSeconds(10));

        // 3. the honest workers answer; a challenge of an honest answer loses its bond
        for (ManagedProcess p : honest) {
          p.stop(Duration.ofSeconds(10));
        }
        honest.clear();
        for (int i = 0; i < 3; i++) {
          honest.add(net.startWorker(i));
        }
        List<Long> answers = requests(net, 2, 200);
        awaitSettled(net, answers);
        awaitResolved(net, court, answers);
        for (long id : answers) {
          assertThat(stateOf(net, court, id)).isEqualTo(DisputeState.UPHELD);
        }
        BigInteger bond = court.requiredBond(LocalNetwork.FEE).send();
        long disputeId = net.challenge(CHALLENGER, answers.get(0), bond);
        await(
            net,
            () -> state(court, disputeId).resolved(),
            "the challenge of an honest answer resolved");
        assertThat(state(court, disputeId)).isEqualTo(DisputeState.UPHELD);
        assertThat(hub.balanceOf(CHALLENGER.getAddress()).send())
            .as("the challenger lost its bond")
            .isZero();
        assertThat(net.courtLogs(DisputeCourt.CHALLENGEREJECTED_EVENT)).hasSize(1);
      } finally {
        for (ManagedProcess p : honest) {
          p.stop(Duration.ofSeconds(10));
        }
        relayer.stop(Duration.ofSeconds(10));
      }
      for (int i = 0; i < 3; i++) {
        assertThat(active(net, i)).as("honest key %d never slashed", i).isTrue();
      }
      assertThat(net.courtLogs(DisputeCourt.FAULTPROVEN_EVENT))
          .as("faults: the lies only")
          .hasSize(3);
    }
  }

  private static List<Long> requests(LocalNetwork net, int n, int seed) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(net.request(DAPP, 1, LocalNetwork.input(seed + i, 0.5f, -1.5f, 2.25f), 3_600));
    }
    return ids;
  }

  private static void awaitSettled(LocalNetwork net, List<Long> ids) throws InterruptedException {
    LocalNetwork.await(
        () -> net.settledEvents().keySet().containsAll(ids), WAIT, "requests " + ids + " settled");
  }

  /** Every request's answer audited and its dispute resolved; blocks are mined meanwhile. */
  private static void awaitResolved(LocalNetwork net, DisputeCourt court, List<Long> ids)
      throws InterruptedException {
    await(
        net,
        () ->
            ids.stream()
                .allMatch(
                    id -> stateOf(net, court, id) != null && stateOf(net, court, id).resolved()),
        "the audits of " + ids + " resolved");
  }

  /**
   * Waits for {@code done}, mining a block on each look: an audit's seed is the block after its
   * settlement, and a quiet local chain mines none by itself.
   */
  private static void await(LocalNetwork net, BooleanSupplier done, String what)
      throws InterruptedException {
    LocalNetwork.await(
        () -> {
          net.anvil.mine(1);
          return done.getAsBoolean();
        },
        WAIT,
        what);
  }

  /** The state of the last dispute over request {@code id}'s answer, or null when none. */
  private static DisputeState stateOf(LocalNetwork net, DisputeCourt court, long id) {
    long last = 0;
    for (var log : net.courtLogs(DisputeCourt.DISPUTEOPENED_EVENT)) {
      var e = DisputeCourt.getDisputeOpenedEventFromLog(log);
      if (e.requestId.longValueExact() == id) {
        last = Math.max(last, e.disputeId.longValueExact());
      }
    }
    return last == 0 ? null : state(court, last);
  }

  private static DisputeState state(DisputeCourt court, long disputeId) {
    try {
      return DisputeState.ofCode(
          court.dispute(BigInteger.valueOf(disputeId)).send().state.intValueExact());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean active(LocalNetwork net, int key) throws Exception {
    return net.deployment
        .workerRegistry()
        .isActive(LocalNetwork.WORKER_KEYS.get(key).getAddress())
        .send();
  }
}
