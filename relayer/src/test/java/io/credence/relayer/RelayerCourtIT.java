package io.credence.relayer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.process.ManagedProcess;
import io.credence.protocol.Hashes;
import io.credence.protocol.dispute.DisputeState;
import io.credence.protocol.messages.JuryMessage;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.VerdictMessage;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.Verdict;
import io.credence.testkit.TestInfra;
import io.credence.testkit.network.LocalNetwork;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * The packaged relayer working the DisputeCourt: with every answer of model 1 audited, it draws
 * each batch's audits, gives each jury its job on the juries topic, and — killed without warning
 * after the juries got their jobs and started again — submits the verdicts the jurors send and
 * resolves every dispute exactly once: by the jurors' majority when all answered, by the verdict
 * window when one stayed silent. The jurors are played here (the keys of the network's staked
 * workers sign the verdicts), so this test is about the relayer alone.
 */
class RelayerCourtIT {
  private static final Credentials DAPP = AnvilNode.devAccount(5);
  private static final Duration WAIT = Duration.ofSeconds(120);
  private final ObjectMapper json = ProtocolJson.mapper();

  @Test
  void everyDisputeResolvesOnceAcrossARestart() throws Exception {
    try (LocalNetwork net = LocalNetwork.create("court")) {
      net.setAuditTerms(1, 10_000, 2);
      net.startWorker(0);
      ManagedProcess relayer = net.startRelayer("first");
      int n = 4;
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ids.add(net.request(DAPP, 1, LocalNetwork.input(i, 1, 2, 3), 3_600));
      }
      LocalNetwork.await(
          () -> net.settledEvents().keySet().containsAll(ids), WAIT, "every request settled");
      // the last batch's seed is the next block's hash: make that block exist
      net.anvil.mine(2);
      DisputeCourt court = net.courtAs(DAPP);
      LocalNetwork.await(
          () -> disputeCount(court) >= n, WAIT, "every answer audited (one dispute each)");

      // every jury gets its job
      Map<Long, JuryMessage> jobs = new ConcurrentHashMap<>();
      for (long d = 1; d <= n; d++) {
        long disputeId = d;
        var record =
            TestInfra.kafka()
                .awaitRecord(net.juriesTopic, r -> r.key().equals(Long.toString(disputeId)), WAIT);
        jobs.put(disputeId, json.readValue(record.value(), JuryMessage.class));
      }
      ManagedProcess.stop(ProcessHandle.of(relayer.pid()).orElseThrow(), Duration.ZERO);

      // dispute 1: both jurors disagree; 2 and 3: both agree; 4: one juror stays silent
      Eip712Domain domain = Eip712Domain.credence(net.anvil.chainId(), net.hub());
      for (JuryMessage job : jobs.values()) {
        assertThat(job.jurors()).hasSize(2);
        assertThat(Hashes.keccak256(java.util.Base64.getDecoder().decode(job.output())))
            .as("the settled output travels with the job")
            .isEqualTo(Hashes.fromHex(job.outputHash()));
        List<String> voting = job.disputeId() == 4 ? job.jurors().subList(0, 1) : job.jurors();
        for (String juror : voting) {
          boolean agrees = job.disputeId() != 1;
          byte[] mine =
              agrees ? Hashes.fromHex(job.outputHash()) : Hashes.keccak256("another".getBytes());
          Verdict v =
              new Verdict(
                  BigInteger.valueOf(job.disputeId()),
                  BigInteger.valueOf(job.requestId()),
                  Hashes.fromHex(job.outputHash()),
                  mine,
                  agrees);
          byte[] signature = new ReceiptSigner(key(juror)).sign(v, domain);
          TestInfra.kafka()
              .send(
                  net.verdictsTopic,
                  Long.toString(job.disputeId()),
                  json.writeValueAsString(
                      new VerdictMessage(
                          job.disputeId(),
                          job.requestId(),
                          juror,
                          job.outputHash(),
                          Hashes.hex(mine),
                          agrees,
                          Hashes.hex(signature))));
        }
      }
      // and one that no juror signed goes to the dead-letter topic, never to the court
      TestInfra.kafka()
          .send(
              net.verdictsTopic,
              "1",
              json.writeValueAsString(
                  new VerdictMessage(
                      1,
                      jobs.get(1L).requestId(),
                      "0x" + "11".repeat(20),
                      jobs.get(1L).outputHash(),
                      Hashes.hex(Hashes.keccak256("x".getBytes())),
                      false,
                      "0x" + "22".repeat(65))));

      relayer = net.startRelayer("second");
      try {
        LocalNetwork.await(
            () ->
                state(court, 1).resolved()
                    && state(court, 2).resolved()
                    && state(court, 3).resolved(),
            WAIT,
            "the answered disputes resolved");
        assertThat(state(court, 4)).isEqualTo(DisputeState.VOTING);
        // the silent dispute's one verdict recorded before its window closes (the relayer sends it
        // in its own batch, maybe a round after the others)
        LocalNetwork.await(
            () ->
                net.courtLogs(DisputeCourt.VERDICTRECORDED_EVENT).stream()
                    .anyMatch(l ->
                        DisputeCourt.getVerdictRecordedEventFromLog(l).disputeId.longValueExact()
                            == 4),
            WAIT,
            "dispute 4's one verdict recorded");
        net.anvil.increaseTime(3_601); // the verdict window closes
        LocalNetwork.await(() -> state(court, 4).resolved(), WAIT, "the silent one resolved");
      } finally {
        relayer.stop(Duration.ofSeconds(10));
      }

      assertThat(state(court, 1)).isEqualTo(DisputeState.FAULT_PROVEN);
      assertThat(state(court, 2)).isEqualTo(DisputeState.UPHELD);
      assertThat(state(court, 3)).isEqualTo(DisputeState.UPHELD);
      assertThat(state(court, 4))
          .as("one verdict of two is no majority")
          .isEqualTo(DisputeState.NO_MAJORITY);
      Map<Long, Integer> resolutions = new HashMap<>();
      for (var log : net.courtLogs(DisputeCourt.DISPUTERESOLVED_EVENT)) {
        resolutions.merge(
            DisputeCourt.getDisputeResolvedEventFromLog(log).disputeId.longValueExact(),
            1,
            Integer::sum);
      }
      assertThat(resolutions)
          .as("each dispute resolved exactly once")
          .isEqualTo(Map.of(1L, 1, 2L, 1, 3L, 1, 4L, 1));
      assertThat(net.courtLogs(DisputeCourt.VERDICTRECORDED_EVENT)).hasSize(2 + 2 + 2 + 1);
      TestInfra.kafka().awaitRecord(net.verdictsTopic + ".dlq", r -> r.key().equals("1"), WAIT);
      assertThat(
              net.deployment
                  .workerRegistry()
                  .isActive(LocalNetwork.WORKER_KEYS.get(0).getAddress())
                  .send())
          .as("the worker whose answer the jury overturned lost its stake")
          .isFalse();
      courtTransactionsArePaidBack(net);
    }
  }

  /**
   * The court paid the relayer back its transactions' gas from the protocol's share (as far as the
   * share went: four fees' 5 % do not pay four audits), and the relayer's ledger recorded each
   * payment against its transaction.
   */
  private static void courtTransactionsArePaidBack(LocalNetwork net) throws Exception {
    Map<String, BigInteger> paid = new HashMap<>();
    for (var log : net.logs(InferenceHub.PROTOCOLPAID_EVENT)) {
      var e = InferenceHub.getProtocolPaidEventFromLog(log);
      assertThat(e.payer).isEqualToIgnoringCase(net.deployment.disputeCourt().getContractAddress());
      assertThat(e.account).isEqualToIgnoringCase(LocalNetwork.RELAYER.getAddress());
      paid.merge(
          log.getTransactionHash().toLowerCase(java.util.Locale.ROOT),
          e.fromAccrued.add(e.fromTreasury),
          BigInteger::add);
    }
    assertThat(paid.values()).as("the court paid its caller").anyMatch(v -> v.signum() > 0);
    Map<String, BigInteger> recorded = new HashMap<>();
    try (var c = TestInfra.postgres().connect();
        var rs =
            c.createStatement()
                .executeQuery(
                    "SELECT lower(mined_hash), credited FROM "
                        + net.schema
                        + ".tx WHERE kind IN ('DRAW_AUDITS', 'DRAW_JURY', 'VERDICTS', 'RESOLVE')"
                        + " AND mined_hash IS NOT NULL")) {
      while (rs.next()) {
        recorded.put(rs.getString(1), rs.getBigDecimal(2).toBigInteger());
      }
    }
    for (var e : paid.entrySet()) {
      assertThat(recorded.get(e.getKey()))
          .as("what the relayer recorded as credited for %s", e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  private static Credentials key(String address) {
    for (Credentials c : LocalNetwork.WORKER_KEYS) {
      if (c.getAddress().equalsIgnoreCase(address)) {
        return c;
      }
    }
    throw new AssertionError("no key for juror " + address);
  }

  private static long disputeCount(DisputeCourt court) {
    try {
      return court.disputeCount().send().longValueExact();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static DisputeState state(DisputeCourt court, long id) {
    try {
      return DisputeState.ofCode(
          court.dispute(BigInteger.valueOf(id)).send().state.intValueExact());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
