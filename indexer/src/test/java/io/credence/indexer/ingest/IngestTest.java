package io.credence.indexer.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.indexer.store.IndexReads;
import io.credence.protocol.Hashes;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.settlement.FeeSplit;
import io.credence.protocol.settlement.PoolShares;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.Log;

/**
 * The per-contract ingests with their step context, against rows recorded in memory and facts of
 * earlier steps held in maps (the same steps against PostgreSQL and anvil are IndexerIT's).
 */
class IngestTest {
  private static final String HUB = "0x00000000000000000000000000000000000000a1";
  private static final String MODELS = "0x00000000000000000000000000000000000000a2";
  private static final String WORKERS = "0x00000000000000000000000000000000000000a3";
  private static final String COURT = "0x00000000000000000000000000000000000000a4";
  private static final long CHAIN = 31_337;
  private static final Credentials K1 =
      Credentials.create(
          Hashes.hex(Hashes.keccak256("ingest test key 1".getBytes(StandardCharsets.UTF_8))));
  private static final Credentials K2 =
      Credentials.create(
          Hashes.hex(Hashes.keccak256("ingest test key 2".getBytes(StandardCharsets.UTF_8))));
  private static final String OP1 = "0x00000000000000000000000000000000000000b1";
  private static final String OP2 = "0x00000000000000000000000000000000000000b2";
  private static final String DAPP = "0x00000000000000000000000000000000000000d1";
  private static final BigInteger FEE = new BigInteger("1000000000000000007");
  private static final BigInteger ALLOWANCE = BigInteger.valueOf(5_000_000);
  private static final byte[] MODEL_HASH = Hashes.sha256("model".getBytes(StandardCharsets.UTF_8));
  private static final List<PoolShares.Contributor> CONTRIBUTORS =
      List.of(
          new PoolShares.Contributor("0x00000000000000000000000000000000000000c0", 1, 6_000),
          new PoolShares.Contributor("0x00000000000000000000000000000000000000c1", 2, 2_001),
          new PoolShares.Contributor("0x00000000000000000000000000000000000000c2", 2, 1_999));

  private final Ingest ingest = new Ingest(HUB, MODELS, WORKERS, COURT, CHAIN);
  private final FakeReads reads = new FakeReads();
  private final RecordingRows rows = new RecordingRows();

  /**
   * Request {@code id} for model 7 (quorum {@code quorum}), K1 and K2 registered by OP1 and OP2,
   * the split 5 % / 20 %.
   */
  private void earlier(int quorum, long... ids) {
    reads.split = new FeeSplit(500, 2_000);
    reads.models.put(7L, new IndexReads.Model(MODEL_HASH, quorum, new ArrayList<>(CONTRIBUTORS)));
    reads.operators.put(lower(K1), OP1);
    reads.operators.put(lower(K2), OP2);
    for (long id : ids) {
      reads.requests.put(id, new IndexReads.Request(7, DAPP, input(id), FEE, ALLOWANCE));
    }
  }

  @Test
  void theContractsSixtyFiveEventsAreFollowed() {
    assertThat(ingest.events()).isEqualTo(65);
    assertThat(ingest.addresses()).containsExactly(HUB, MODELS, WORKERS, COURT);
    assertThat(new Ingest(HUB, MODELS, WORKERS, CHAIN).addresses())
        .as("a deployment without a court")
        .containsExactly(HUB, MODELS, WORKERS);
  }

  @Test
  void aModelsTermsAreReadFromTheEventsWords() throws Exception {
    Log l =
        Logs.log(
            COURT,
            3,
            0,
            io.credence.contracts.DisputeCourt.MODELTERMSSET_EVENT,
            List.of(new Uint256(7)),
            List.of(
                new io.credence.contracts.DisputeCourt.Terms(
                    BigInteger.valueOf(86_400),
                    BigInteger.valueOf(100),
                    BigInteger.valueOf(3),
                    BigInteger.valueOf(3),
                    BigInteger.valueOf(8),
                    BigInteger.valueOf(1_000))));
    assertThat(l.getTopics().get(0))
        .isEqualTo(
            org.web3j.crypto.Hash.sha3String(
                "ModelTermsSet(uint256,(uint64,uint16,uint8,uint8,uint32,uint64))"));
    ingest.apply(rows, reads, List.of(l));
    assertThat(rows.rows("model_terms"))
        .singleElement()
        .satisfies(r ->
            assertThat(r)
                .containsEntry("model_id", 7L)
                .containsEntry("challenge_window", 86_400L)
                .containsEntry("audit_rate_bps", 100)
                .containsEntry("jury_size", 3)
                .containsEntry("tolerance_abs_e9", 1_000L));
  }

  @Test
  void anUpheldChallengePaysItsJurorsAndDividesTheRestOfTheBondAmongTheSignersOperators()
      throws Exception {
    earlier(2, 1);
    String challenger = "0x00000000000000000000000000000000000000e2";
    String juror = "0x00000000000000000000000000000000000000f1";
    String jurorOperator = "0x00000000000000000000000000000000000000f2";
    reads.disputes.put(
        5L,
        new IndexReads.Dispute(
            1, 2, challenger, BigInteger.valueOf(1_000), List.of(lower(K1), lower(K2)), DAPP));
    ingest.apply(
        rows,
        reads,
        List.of(
            Logs.log(
                COURT,
                20,
                0,
                io.credence.contracts.DisputeCourt.JURORPAID_EVENT,
                List.of(new Uint256(5), new Address(juror), new Address(jurorOperator)),
                List.of(new Uint256(201))),
            Logs.log(
                COURT,
                20,
                1,
                io.credence.contracts.DisputeCourt.CHALLENGEREJECTED_EVENT,
                List.of(new Uint256(5), new Uint256(1)),
                List.of(new Address(challenger), new Uint256(1_000))),
            Logs.log(
                COURT,
                20,
                2,
                io.credence.contracts.DisputeCourt.DISPUTERESOLVED_EVENT,
                List.of(new Uint256(5), new Uint256(1)),
                List.of(
                    new org.web3j.abi.datatypes.generated.Uint8(4),
                    new org.web3j.abi.datatypes.generated.Uint8(1),
                    new org.web3j.abi.datatypes.generated.Uint8(0),
                    new org.web3j.abi.datatypes.generated.Uint8(1)))));
    // (1000 - 201) / 2 = 399 each, the 1 wei left to the protocol (CourtCredited's)
    assertThat(rows.rows("ledger"))
        .extracting(r -> r.get("account"), r -> r.get("kind"), r -> r.get("amount"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                jurorOperator, "JUROR_PAY", BigInteger.valueOf(201)),
            org.assertj.core.groups.Tuple.tuple(OP1, "BOND_SHARE", BigInteger.valueOf(399)),
            org.assertj.core.groups.Tuple.tuple(OP2, "BOND_SHARE", BigInteger.valueOf(399)));
    assertThat(rows.rows("dispute_resolution"))
        .singleElement()
        .satisfies(r ->
            assertThat(r)
                .containsEntry("state", 4)
                .containsEntry("agreed", 1)
                .containsEntry("slashed", null));
  }

  @Test
  void aFaultProvenRefundsTheRequesterAndPaysTheChallengerItsBondAndReward() throws Exception {
    earlier(1, 1);
    String challenger = "0x00000000000000000000000000000000000000e2";
    byte[] out = Hashes.keccak256("out".getBytes(StandardCharsets.UTF_8));
    ingest.apply(
        rows,
        reads,
        List.of(
            Logs.log(
                COURT,
                20,
                0,
                io.credence.contracts.DisputeCourt.DISPUTEOPENED_EVENT,
                List.of(new Uint256(6), new Uint256(1), new Uint256(1)),
                List.of(
                    new org.web3j.abi.datatypes.generated.Uint8(2),
                    new Address(challenger),
                    new Uint256(1_000),
                    new org.web3j.abi.datatypes.generated.Bytes32(out),
                    new org.web3j.abi.datatypes.DynamicArray<>(
                        Address.class, List.of(new Address(lower(K1)))))),
            Logs.log(
                WORKERS,
                25,
                0,
                WorkerRegistry.STAKESEIZED_EVENT,
                List.of(new Address(lower(K1)), new Address(OP1)),
                List.of(new Uint256(5_000))),
            Logs.log(
                COURT,
                25,
                1,
                io.credence.contracts.DisputeCourt.FAULTPROVEN_EVENT,
                List.of(new Uint256(6), new Uint256(1)),
                List.of(
                    new org.web3j.abi.datatypes.generated.Bytes32(out),
                    new org.web3j.abi.datatypes.generated.Bytes32(new byte[32]),
                    new Uint256(5_000),
                    new Uint256(FEE),
                    new Uint256(300))),
            Logs.log(
                COURT,
                25,
                2,
                io.credence.contracts.DisputeCourt.DISPUTERESOLVED_EVENT,
                List.of(new Uint256(6), new Uint256(1)),
                List.of(
                    new org.web3j.abi.datatypes.generated.Uint8(3),
                    new org.web3j.abi.datatypes.generated.Uint8(0),
                    new org.web3j.abi.datatypes.generated.Uint8(3),
                    new org.web3j.abi.datatypes.generated.Uint8(3)))));
    assertThat(rows.rows("dispute_signer"))
        .extracting(r -> r.get("signer"))
        .containsExactly(lower(K1));
    assertThat(rows.rows("stake_event"))
        .singleElement()
        .satisfies(r -> assertThat(r).containsEntry("kind", "SEIZED"));
    assertThat(rows.rows("ledger"))
        .extracting(r -> r.get("account"), r -> r.get("kind"), r -> r.get("amount"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(DAPP, "REFUND", FEE),
            org.assertj.core.groups.Tuple.tuple(
                challenger, "BOND_RETURN", BigInteger.valueOf(1_000)),
            org.assertj.core.groups.Tuple.tuple(
                challenger, "CHALLENGE_REWARD", BigInteger.valueOf(300)));
    assertThat(rows.rows("dispute_resolution"))
        .singleElement()
        .satisfies(r ->
            assertThat(r)
                .containsEntry("state", 3)
                .containsEntry("slashed", BigInteger.valueOf(5_000))
                .containsEntry("refund", FEE));
  }

  @Test
  void aSettlementIsSplitAsTheHubSplitsItAndItsSignersAreRecoveredFromItsProofs() throws Exception {
    earlier(2, 1);
    ingest.apply(rows, reads, List.of(settled(1, 10, 0, "out", K1, K2)));

    FeeSplit.Parts parts = new FeeSplit(500, 2_000).divide(FEE, 2);
    Map<String, Object> outcome = rows.rows("outcome").get(0);
    assertThat(outcome).containsEntry("kind", "SETTLED").containsEntry("request_id", 1L);
    assertThat(outcome)
        .containsEntry("protocol_part", parts.protocol())
        .containsEntry("worker_each", parts.workerEach())
        .containsEntry("pool_part", parts.pool());
    assertThat((byte[]) outcome.get("output_hash"))
        .isEqualTo(Hashes.keccak256("out".getBytes(StandardCharsets.UTF_8)));
    List<String> signers = sorted(K1, K2).stream().map(IngestTest::lower).toList();
    assertThat(rows.rows("outcome_signer"))
        .extracting(r -> r.get("signer"))
        .containsExactlyElementsOf(signers);
    assertThat(rows.rows("outcome_signer"))
        .extracting(r -> r.get("executed_at"))
        .containsExactly(1_700_000_000L, 1_700_000_001L);
    // credits: a worker part to each operator, the pool to the model, the protocol's part
    assertThat(rows.rows("ledger"))
        .extracting(r -> r.get("kind"), r -> r.get("amount"))
        .containsOnly(org.assertj.core.groups.Tuple.tuple("WORKER", parts.workerEach()));
    assertThat(rows.rows("ledger"))
        .extracting(r -> r.get("account"))
        .containsExactlyInAnyOrder(OP1, OP2);
    assertThat(rows.rows("pool_ledger"))
        .singleElement()
        .satisfies(
            r -> assertThat(r).containsEntry("amount", parts.pool()).containsEntry("model_id", 7L));
    assertThat(rows.rows("protocol_ledger"))
        .singleElement()
        .satisfies(r ->
            assertThat(r)
                .containsEntry("amount", parts.protocol())
                .containsEntry("kind", "SETTLEMENT"));
  }

  @Test
  void aBlocksSettlementCreditsAreSummedPerOperatorAndModelAndNotAcrossBlocks() throws Exception {
    earlier(1, 1, 2, 3);
    ingest.apply(
        rows,
        reads,
        List.of(
            settled(1, 10, 0, "a", K1), settled(2, 10, 1, "b", K1), settled(3, 11, 0, "c", K1)));

    BigInteger each = new FeeSplit(500, 2_000).divide(FEE, 1).workerEach();
    assertThat(rows.rows("ledger"))
        .extracting(
            r -> r.get("block_number"),
            r -> r.get("log_index"),
            r -> r.get("account"),
            r -> r.get("amount"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(10L, 0, OP1, each.multiply(BigInteger.TWO)),
            org.assertj.core.groups.Tuple.tuple(11L, 0, OP1, each));
    assertThat(rows.rows("outcome")).hasSize(3);
    assertThat(rows.rows("protocol_ledger")).hasSize(2);
  }

  @Test
  void aModelRegisteredInAStepIsDistributedInItWithoutReadingTheIndex() throws Exception {
    List<Log> logs = registration("file:m.onnx");
    // a 7-wei pool: floor(7 · 2001 / 10 000) = 1 and floor(7 · 1999 / 10 000) = 1, contributor 0
    // the other 5
    logs.add(
        Logs.log(
            HUB,
            6,
            0,
            InferenceHub.MODELPOOLDISTRIBUTED_EVENT,
            List.of(new Uint256(9)),
            List.of(new Uint256(7))));
    ingest.apply(rows, reads, logs);

    assertThat(reads.modelReads).isZero();
    assertThat(rows.rows("model"))
        .singleElement()
        .satisfies(
            r -> assertThat(r).containsEntry("uri", "file:m.onnx").containsEntry("quorum", 1));
    assertThat(rows.rows("contributor")).extracting(r -> r.get("dataset")).containsOnlyNulls();
    assertThat(rows.rows("ledger"))
        .extracting(
            r -> r.get("account"), r -> r.get("kind"), r -> r.get("amount"), r -> r.get("seq"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                CONTRIBUTORS.get(0).account(), "SHARE", BigInteger.valueOf(5), 0),
            org.assertj.core.groups.Tuple.tuple(
                CONTRIBUTORS.get(1).account(), "SHARE", BigInteger.ONE, 1),
            org.assertj.core.groups.Tuple.tuple(
                CONTRIBUTORS.get(2).account(), "SHARE", BigInteger.ONE, 2));
    assertThat(rows.rows("pool_ledger"))
        .singleElement()
        .satisfies(r -> assertThat(r).containsEntry("amount", BigInteger.valueOf(-7)));
  }

  @Test
  void aDerivedModelsDistributionMovesItsParentsPartsIntoTheirPoolsAndDividesTheRest()
      throws Exception {
    List<Log> logs = registration("file:d.onnx");
    // fine-tuned from model 7 (15 %), distilled from model 8 (3.33 %)
    long[][] parents = {{7, 1, 1_500}, {8, 2, 333}};
    for (int p = 0; p < parents.length; p++) {
      logs.add(
          Logs.log(
              MODELS,
              5,
              4 + p,
              ModelRegistry.MODELPARENTADDED_EVENT,
              List.of(new Uint256(9), new Uint256(parents[p][0])),
              List.of(new Uint8(parents[p][1]), new Uint16(parents[p][2]))));
    }
    // a 10 001-wei pool: 1 500 to model 7, 333 to model 8, 8 168 to the contributors
    long[][] paid = {{7, 1_500}, {8, 333}};
    for (int p = 0; p < paid.length; p++) {
      logs.add(
          Logs.log(
              HUB,
              6,
              p,
              InferenceHub.LINEAGEPAID_EVENT,
              List.of(new Uint256(9), new Uint256(paid[p][0])),
              List.of(new Uint256(paid[p][1]))));
    }
    logs.add(
        Logs.log(
            HUB,
            6,
            2,
            InferenceHub.MODELPOOLDISTRIBUTED_EVENT,
            List.of(new Uint256(9)),
            List.of(new Uint256(8_168))));
    ingest.apply(rows, reads, logs);

    assertThat(rows.rows("model_parent"))
        .extracting(
            r -> r.get("parent_id"),
            r -> r.get("kind"),
            r -> r.get("share_bps"),
            r -> r.get("position"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(7L, 1, 1_500, 0),
            org.assertj.core.groups.Tuple.tuple(8L, 2, 333, 1));
    assertThat(rows.rows("lineage_paid"))
        .extracting(r -> r.get("model_id"), r -> r.get("parent_id"), r -> r.get("amount"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(9L, 7L, BigInteger.valueOf(1_500)),
            org.assertj.core.groups.Tuple.tuple(9L, 8L, BigInteger.valueOf(333)));
    // the derived pool emptied (-10 001 in all), each parent's pool credited its part
    assertThat(rows.rows("pool_ledger"))
        .extracting(r -> r.get("model_id"), r -> r.get("amount"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(9L, BigInteger.valueOf(-1_500)),
            org.assertj.core.groups.Tuple.tuple(7L, BigInteger.valueOf(1_500)),
            org.assertj.core.groups.Tuple.tuple(9L, BigInteger.valueOf(-333)),
            org.assertj.core.groups.Tuple.tuple(8L, BigInteger.valueOf(333)),
            org.assertj.core.groups.Tuple.tuple(9L, BigInteger.valueOf(-8_168)));
    // 8 168 by 6000 / 2001 / 1999: floor(1634.4) and floor(1632.8), the author 4 902
    assertThat(rows.rows("ledger"))
        .extracting(r -> r.get("account"), r -> r.get("amount"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                CONTRIBUTORS.get(0).account(), BigInteger.valueOf(4_902)),
            org.assertj.core.groups.Tuple.tuple(
                CONTRIBUTORS.get(1).account(), BigInteger.valueOf(1_634)),
            org.assertj.core.groups.Tuple.tuple(
                CONTRIBUTORS.get(2).account(), BigInteger.valueOf(1_632)));
  }

  /** Model 9 registered in block 5 (logs 0 to 3) with {@link #CONTRIBUTORS}. */
  private static List<Log> registration(String uri) {
    List<Log> logs = new ArrayList<>();
    logs.add(
        Logs.log(
            MODELS,
            5,
            0,
            ModelRegistry.MODELREGISTERED_EVENT,
            List.of(new Uint256(9), new Address(DAPP), new Bytes32(MODEL_HASH)),
            List.of(new Utf8String(uri), new Uint256(FEE), new Uint8(1), new Uint256(3))));
    for (int j = 0; j < CONTRIBUTORS.size(); j++) {
      PoolShares.Contributor c = CONTRIBUTORS.get(j);
      logs.add(
          Logs.log(
              MODELS,
              5,
              1 + j,
              ModelRegistry.CONTRIBUTORADDED_EVENT,
              List.of(new Uint256(9), new Address(c.account()), new Bytes32(new byte[32])),
              List.of(new Uint256(j), new Uint8(c.role()), new Uint16(c.shareBps()))));
    }
    return logs;
  }

  @Test
  void aSlashRewardsTheReporterAndTheRestGoesToTheProtocol() throws Exception {
    String reporter = "0x00000000000000000000000000000000000000e1";
    ingest.apply(
        rows,
        reads,
        List.of(
            Logs.log(
                WORKERS,
                3,
                2,
                WorkerRegistry.WORKERSLASHED_EVENT,
                List.of(new Address(lower(K1)), new Address(OP1), new Address(reporter)),
                List.of(new Uint256(1_000), new Uint256(100)))));
    assertThat(rows.rows("stake_event"))
        .singleElement()
        .satisfies(r ->
            assertThat(r).containsEntry("kind", "SLASHED").containsEntry("stake", BigInteger.ZERO));
    assertThat(rows.rows("ledger"))
        .singleElement()
        .satisfies(r ->
            assertThat(r).containsEntry("account", reporter).containsEntry("kind", "SLASH_REWARD"));
    assertThat(rows.rows("protocol_ledger"))
        .singleElement()
        .satisfies(r ->
            assertThat(r)
                .containsEntry("amount", BigInteger.valueOf(900))
                .containsEntry("kind", "SLASH"));
  }

  @Test
  void theSplitInForceIsReadOnceAndAChangeInAStepAppliesToTheSettlementsAfterIt() throws Exception {
    earlier(1, 1, 2);
    Log change =
        Logs.log(
            HUB,
            10,
            1,
            InferenceHub.SPLITCHANGED_EVENT,
            List.of(),
            List.of(new Uint16(1_000), new Uint16(1_500)));
    ingest.apply(
        rows, reads, List.of(settled(1, 10, 0, "a", K1), change, settled(2, 10, 2, "b", K1)));
    assertThat(rows.rows("outcome"))
        .extracting(r -> r.get("protocol_part"))
        .containsExactly(
            new FeeSplit(500, 2_000).divide(FEE, 1).protocol(),
            new FeeSplit(1_000, 1_500).divide(FEE, 1).protocol());
    assertThat(rows.rows("split_change"))
        .singleElement()
        .satisfies(r -> assertThat(r).containsEntry("protocol_bps", 1_000));
  }

  @Test
  void aTransactionsChargesGoToItsClosedRequestsInEventOrderAndItsCreditToItsSubmitter()
      throws Exception {
    earlier(1, 1, 2);
    String relayer = "0x00000000000000000000000000000000000000e9";
    Log a = settled(2, 10, 0, "a", K1);
    Log b = settled(1, 10, 1, "b", K1);
    Log gas = reimbursed(relayer, 10, 2, 1_000_000, 5_000_000); // request 1 spends all of it
    for (Log l : List.of(a, b, gas)) {
      l.setTransactionHash("0x" + "ab".repeat(32));
    }
    ingest.apply(rows, reads, List.of(a, b, gas));

    assertThat(rows.rows("outcome"))
        .extracting(r -> r.get("request_id"), r -> r.get("gas_charged"), r -> r.get("gas_returned"))
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                2L, BigInteger.valueOf(1_000_000), BigInteger.valueOf(4_000_000)),
            org.assertj.core.groups.Tuple.tuple(
                1L, BigInteger.valueOf(5_000_000), BigInteger.ZERO));
    assertThat(rows.rows("ledger"))
        .filteredOn(r -> !r.get("kind").equals("WORKER"))
        .extracting(
            r -> r.get("kind"),
            r -> r.get("account"),
            r -> r.get("amount"),
            r -> r.get("request_id"))
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "GAS_RETURN", DAPP, BigInteger.valueOf(4_000_000), 2L),
            org.assertj.core.groups.Tuple.tuple(
                "GAS", relayer, BigInteger.valueOf(6_000_000), null));
  }

  @Test
  void anOutcomeWithoutGasReimbursedHasUnknownGas() throws Exception {
    earlier(1, 1);
    ingest.apply(rows, reads, List.of(settled(1, 10, 0, "a", K1)));
    assertThat(rows.rows("outcome"))
        .singleElement()
        .satisfies(r -> assertThat(r).containsEntry("gas_charged", null));
  }

  @Test
  void aSignedRequestsSubmissionTakesFeeAndWholeAllowanceFromItsRequesterAndPaysTheSubmitter()
      throws Exception {
    String relayer = "0x00000000000000000000000000000000000000e9";
    Log requested =
        Logs.log(
            HUB,
            10,
            0,
            InferenceHub.INFERENCEREQUESTED_EVENT,
            List.of(new Uint256(3), new Uint256(7), new Address(DAPP)),
            List.of(
                new Bytes32(input(3)),
                new Uint256(FEE),
                new org.web3j.abi.datatypes.generated.Uint64(1_800_000_000L),
                new Address("0x0000000000000000000000000000000000000000"),
                new org.web3j.abi.datatypes.generated.Uint32(0),
                new Uint256(4_000_000),
                new Uint256(50_000_000_000L),
                new DynamicBytes(new byte[] {1})));
    Log gas = reimbursed(relayer, 10, 1, 1_000_000);
    requested.setTransactionHash("0x" + "cd".repeat(32));
    gas.setTransactionHash("0x" + "cd".repeat(32));
    ingest.apply(rows, reads, List.of(requested, gas));

    assertThat(rows.rows("request"))
        .singleElement()
        .satisfies(r ->
            assertThat(r)
                .containsEntry("gas_allowance", BigInteger.valueOf(4_000_000))
                .containsEntry("max_fee_per_gas", BigInteger.valueOf(50_000_000_000L)));
    assertThat(rows.rows("ledger"))
        .extracting(
            r -> r.get("kind"),
            r -> r.get("account"),
            r -> r.get("amount"),
            r -> r.get("request_id"))
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "SIGNED_ESCROW", DAPP, FEE.add(BigInteger.valueOf(5_000_000)).negate(), 3L),
            org.assertj.core.groups.Tuple.tuple(
                "GAS", relayer, BigInteger.valueOf(1_000_000), null));
  }

  @Test
  void anOutcomeOfAnUnknownRequestIsAnErrorThatSaysWhy() {
    earlier(1);
    assertThatThrownBy(() -> ingest.apply(rows, reads, List.of(settled(42, 10, 0, "a", K1))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("request 42")
        .hasMessageContaining("start block too late");
  }

  @Test
  void logsOfOtherContractsAndRemovedLogsAreIgnored() throws Exception {
    Log other =
        Logs.log(
            "0x00000000000000000000000000000000000000ff",
            1,
            0,
            InferenceHub.SPLITCHANGED_EVENT,
            List.of(),
            List.of(new Uint16(1), new Uint16(1)));
    Log removed =
        Logs.log(
            HUB,
            1,
            1,
            InferenceHub.SPLITCHANGED_EVENT,
            List.of(),
            List.of(new Uint16(1), new Uint16(1)));
    removed.setRemoved(true);
    ingest.apply(rows, reads, List.of(other, removed));
    assertThat(rows.all()).isEmpty();
  }

  // ------------------------------------------------------------------ logs

  private static byte[] input(long id) {
    return Hashes.keccak256(("input " + id).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A settlement of request {@code id} whose proofs the keys signed, in ascending address order as
   * the hub requires.
   */
  private static Log settled(long id, long block, int index, String output, Credentials... keys) {
    byte[] out = output.getBytes(StandardCharsets.UTF_8);
    Eip712Domain domain = Eip712Domain.credence(CHAIN, HUB);
    List<ReceiptProofs.Proof> proofs = new ArrayList<>();
    long at = 1_700_000_000L;
    for (Credentials k : sorted(keys)) {
      byte[] digest =
          new InferenceReceipt(
                  BigInteger.valueOf(id), MODEL_HASH, input(id), Hashes.keccak256(out), at)
              .digest(domain);
      proofs.add(new ReceiptProofs.Proof(new ReceiptSigner(k).sign(digest), at++));
    }
    return Logs.log(
        HUB,
        block,
        index,
        InferenceHub.INFERENCESETTLED_EVENT,
        List.of(new Uint256(id)),
        List.of(new DynamicBytes(ReceiptProofs.encode(proofs)), new DynamicBytes(out)));
  }

  /** GasReimbursed to {@code submitter} of {@code charges}, credited their sum. */
  private static Log reimbursed(String submitter, long block, int index, long... charges) {
    List<Uint256> list = new ArrayList<>();
    long total = 0;
    for (long c : charges) {
      list.add(new Uint256(c));
      total += c;
    }
    return Logs.log(
        HUB,
        block,
        index,
        InferenceHub.GASREIMBURSED_EVENT,
        List.of(new Address(submitter)),
        List.of(
            new Uint256(total), new org.web3j.abi.datatypes.DynamicArray<>(Uint256.class, list)));
  }

  private static List<Credentials> sorted(Credentials... keys) {
    return java.util.Arrays.stream(keys)
        .sorted(Comparator.comparing(k -> new BigInteger(k.getAddress().substring(2), 16)))
        .toList();
  }

  private static String lower(Credentials k) {
    return k.getAddress().toLowerCase(java.util.Locale.ROOT);
  }
}
