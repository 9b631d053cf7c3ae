package io.credence.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.ExampleConsumer;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.RewardVault;
import io.credence.contracts.WorkerRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.dispute.DisputeState;
import io.credence.protocol.dispute.SettlementRecords;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.FailureReason;
import io.credence.protocol.receipt.InferenceFailure;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.InferenceRequest;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.Verdict;
import io.credence.protocol.receipt.WorkerKeyProof;
import io.credence.protocol.settlement.FeeSplit;
import io.credence.protocol.settlement.GasCharges;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.protocol.settlement.PoolShares;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.testkit.junit.WithAnvil;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.abi.CustomErrorEncoder;
import org.web3j.abi.datatypes.CustomError;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.Contract;
import org.web3j.utils.Convert;
import org.web3j.utils.Numeric;

/**
 * The protocol end to end on a real anvil, driven from Java through the generated bindings:
 * everything signed with {@code protocol}'s EIP-712 signer and encoded with its tensor codec. A
 * settlement the hub accepts proves Java and Solidity agree on both.
 */
@WithAnvil
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtocolLifecycleIT {
  private static final BigInteger FEE =
      Convert.toWei("0.01", Convert.Unit.ETHER).toBigIntegerExact();
  private static final BigInteger STAKE =
      Convert.toWei("1", Convert.Unit.ETHER).toBigIntegerExact();

  private static final Credentials DEPLOYER = AnvilNode.devAccount(0);
  private static final Credentials AUTHOR = AnvilNode.devAccount(1);
  private static final Credentials PROVIDER = AnvilNode.devAccount(2);
  private static final Credentials OPERATOR_1 = AnvilNode.devAccount(3);
  private static final Credentials OPERATOR_2 = AnvilNode.devAccount(4);
  private static final Credentials DAPP = AnvilNode.devAccount(5);
  private static final Credentials RELAYER = AnvilNode.devAccount(6);
  private static final ReceiptSigner KEY_1 = key("credence test worker key 1");
  private static final ReceiptSigner KEY_2 = key("credence test worker key 2");
  private static final ReceiptSigner NOT_A_WORKER = key("credence test forger");
  private static final ReceiptSigner KEY_3 = key("credence test worker key 3");
  private static final ReceiptSigner KEY_4 = key("credence test worker key 4");
  private static final Credentials OPERATOR_3 = AnvilNode.devAccount(7);
  private static final Credentials OPERATOR_4 = AnvilNode.devAccount(8);
  private static final Credentials CHALLENGER = AnvilNode.devAccount(9);

  private static final byte[] DATASET_HASH =
      Hashes.sha256("sepal_length,sepal_width\n5.1,3.5\n".getBytes());
  private static final byte[] MODEL_HASH = Hashes.sha256("an onnx file".getBytes());
  private static final List<Tensor> INPUT =
      List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 5.1f, 3.5f, 1.4f, 0.2f));
  private static final List<Tensor> OUTPUT =
      List.of(Tensor.ofFloat32("probabilities", new long[] {1, 3}, 0.1f, 0.7f, 0.2f));

  private AnvilNode anvil;
  private ContractDeployer.Deployment d;
  private Eip712Domain domain;
  private BigInteger model1;
  private BigInteger model2;

  private static ReceiptSigner key(String seed) {
    return new ReceiptSigner(Credentials.create(Hashes.hex(Hashes.keccak256(seed.getBytes()))));
  }

  @BeforeAll
  void deployAndRegister(AnvilNode anvil) throws Exception {
    this.anvil = anvil;
    d = ContractDeployer.deploy(anvil);
    domain = Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress());

    as(ModelRegistry.class, d.modelRegistry(), PROVIDER)
        .registerDataset(DATASET_HASH, "file:data/iris.csv")
        .send();
    List<ModelRegistry.Contributor> contributors =
        List.of(
            new ModelRegistry.Contributor(
                AUTHOR.getAddress(), BigInteger.ONE, BigInteger.valueOf(6_000), new byte[32]),
            new ModelRegistry.Contributor(
                PROVIDER.getAddress(), BigInteger.TWO, BigInteger.valueOf(4_000), DATASET_HASH));
    ModelRegistry registry = as(ModelRegistry.class, d.modelRegistry(), AUTHOR);
    registry
        .registerModel(MODEL_HASH, "file:models/iris.onnx", FEE, BigInteger.ONE, contributors)
        .send();
    model1 = registry.modelCount().send();
    registry
        .registerModel(MODEL_HASH, "file:models/iris.onnx", FEE, BigInteger.TWO, contributors)
        .send();
    model2 = registry.modelCount().send();

    Eip712Domain workerDomain =
        Eip712Domain.workerRegistry(anvil.chainId(), d.workerRegistry().getContractAddress());
    for (var w :
        List.of(
            new Object[] {KEY_1, OPERATOR_1},
            new Object[] {KEY_2, OPERATOR_2},
            new Object[] {KEY_3, OPERATOR_3},
            new Object[] {KEY_4, OPERATOR_4})) {
      ReceiptSigner key = (ReceiptSigner) w[0];
      Credentials operator = (Credentials) w[1];
      byte[] proof = WorkerKeyProof.sign(key, workerDomain, operator.getAddress());
      as(WorkerRegistry.class, d.workerRegistry(), operator)
          .register(key.address(), proof, STAKE)
          .send();
      assertThat(d.workerRegistry().isActive(key.address()).send()).isTrue();
    }
  }

  @Test
  void fullLifecycleSignedInJavaPaysEveryoneToTheWei() throws Exception {
    RewardVault vault = d.rewardVault();
    List<String> payees =
        List.of(
            DEPLOYER.getAddress(),
            OPERATOR_1.getAddress(),
            PROVIDER.getAddress(),
            AUTHOR.getAddress());
    List<BigInteger> owedBefore = new java.util.ArrayList<>();
    for (String p : payees) {
      owedBefore.add(vault.claimable(p).send());
    }
    BigInteger hubBefore = anvil.balance(d.inferenceHub().getContractAddress());
    byte[] input = TensorCodec.encode(INPUT);
    Requested r = request(DAPP, model1, FEE, null, 0);
    assertThat(r.event.inputHash)
        .as("Solidity's keccak of Java's encoding")
        .isEqualTo(Hashes.keccak256(input));
    assertThat(r.event.input).isEqualTo(input);

    byte[] output = TensorCodec.encode(OUTPUT);
    long executedAt = anvil.latestTimestamp();
    InferenceReceipt receipt =
        new InferenceReceipt(
            r.id, MODEL_HASH, r.request.inputHash, Hashes.keccak256(output), executedAt);
    assertThat(receipt.digest(domain))
        .as("Java's EIP-712 digest equals the hub's")
        .isEqualTo(
            d.inferenceHub()
                .receiptDigest(
                    r.id,
                    MODEL_HASH,
                    r.request.inputHash,
                    Hashes.keccak256(output),
                    BigInteger.valueOf(executedAt))
                .send());

    TransactionReceipt tx =
        hub(RELAYER).submitReceipts(List.of(signedReceipt(r, output, executedAt, KEY_1))).send();
    var settled = InferenceHub.getInferenceSettledEvents(tx);
    assertThat(settled).hasSize(1);
    assertThat(settled.get(0).requestId).isEqualTo(r.id);
    assertThat(settled.get(0).output).isEqualTo(output);
    assertThat(
            ReceiptSigner.recover(
                receipt.digest(domain), ReceiptProofs.signature(settled.get(0).proofs, 0)))
        .as("the event's proof recovers to the worker")
        .isEqualTo(KEY_1.address());
    assertThat(TensorCodec.decode(settled.get(0).output)).isEqualTo(OUTPUT);

    // the Java twins of the hub's split and the vault's share rule, checked against the chain's own
    // credits
    FeeSplit.Parts parts = new FeeSplit(500, 2_000).divide(FEE, 1);
    BigInteger[] shares =
        PoolShares.divide(
            parts.pool(),
            List.of(
                new PoolShares.Contributor(AUTHOR.getAddress(), 1, 6_000),
                new PoolShares.Contributor(PROVIDER.getAddress(), 2, 4_000)));
    List<BigInteger> credited = List.of(parts.protocol(), parts.workerEach(), shares[1], shares[0]);
    for (int i = 0; i < payees.size(); i++) {
      assertThat(vault.claimable(payees.get(i)).send().subtract(owedBefore.get(i)))
          .as(
              "credited to %s",
              List.of("treasury", "worker operator", "data provider", "author").get(i))
          .isEqualTo(credited.get(i));
    }
    // the hub held the fee as escrow and now holds it as owed (the vault is a module of the hub)
    assertThat(anvil.balance(d.inferenceHub().getContractAddress())).isEqualTo(hubBefore.add(FEE));
    assertThat(d.inferenceHub().isPending(r.id).send()).isFalse();

    BigInteger owed = vault.claimable(PROVIDER.getAddress()).send();
    BigInteger before = anvil.balance(PROVIDER.getAddress());
    TransactionReceipt claim =
        as(RewardVault.class, vault, PROVIDER).claim(List.of(model1, model2)).send();
    BigInteger gasCost = claim.getGasUsed().multiply(Numeric(claim.getEffectiveGasPrice()));
    assertThat(anvil.balance(PROVIDER.getAddress()))
        .as("balance to the wei")
        .isEqualTo(before.add(owed).subtract(gasCost));
    assertThat(vault.claimable(PROVIDER.getAddress()).send()).isZero();
  }

  @Test
  void aSignedFailureRefundsInFull() throws Exception {
    Requested r = request(DAPP, model1, FEE.add(BigInteger.TEN), null, 0);
    BigInteger owedBefore = d.rewardVault().claimable(DAPP.getAddress()).send();
    InferenceFailure failure =
        InferenceFailure.of(
            r.id,
            MODEL_HASH,
            r.request.inputHash,
            FailureReason.INPUT_MISMATCH,
            "expected [1,4], got [1,5]");
    assertThat(failure.digest(domain))
        .isEqualTo(
            d.inferenceHub()
                .failureDigest(
                    r.id, MODEL_HASH, r.request.inputHash, BigInteger.TWO, failure.detailHash())
                .send());
    var f =
        new InferenceHub.Failure(
            r.id, r.request, BigInteger.TWO, failure.detailHash(), KEY_1.sign(failure, domain));
    TransactionReceipt tx = hub(RELAYER).submitFailures(List.of(f)).send();
    assertThat(InferenceHub.getInferenceFailedEvents(tx).get(0).refund)
        .isEqualTo(FEE.add(BigInteger.TEN));
    assertThat(d.rewardVault().claimable(DAPP.getAddress()).send())
        .isEqualTo(owedBefore.add(FEE).add(BigInteger.TEN));
    assertThat(d.inferenceHub().isPending(r.id).send()).isFalse();
  }

  @Test
  void anExpiredRequestIsRefunded() throws Exception {
    BigInteger owedBefore = d.rewardVault().claimable(DAPP.getAddress()).send();
    Requested r = request(DAPP, model1, FEE, null, 0);
    assertThat(revertOf(hub(RELAYER).expire(r.id, r.request)))
        .isEqualTo(selector(InferenceHub.NOTEXPIRED_ERROR));
    anvil.increaseTime(3_601);
    TransactionReceipt tx = hub(RELAYER).expire(r.id, r.request).send();
    assertThat(InferenceHub.getInferenceExpiredEvents(tx)).hasSize(1);
    assertThat(d.rewardVault().claimable(DAPP.getAddress()).send()).isEqualTo(owedBefore.add(FEE));
  }

  @Test
  void aBatchSkipsARequestSettledMeanwhile() throws Exception {
    byte[] output = TensorCodec.encode(OUTPUT);
    long at = anvil.latestTimestamp();
    Requested a = request(DAPP, model1, FEE, null, 0);
    Requested b = request(DAPP, model1, FEE, null, 0);
    InferenceHub.Receipt receiptA = signedReceipt(a, output, at, KEY_1);
    hub(RELAYER).submitReceipts(List.of(receiptA)).send();

    TransactionReceipt tx =
        hub(RELAYER).submitReceipts(List.of(receiptA, signedReceipt(b, output, at, KEY_1))).send();
    assertThat(tx.isStatusOK()).isTrue();
    var skipped = InferenceHub.getReceiptSkippedEvents(tx);
    assertThat(skipped).hasSize(1);
    assertThat(skipped.get(0).requestId).isEqualTo(a.id);
    assertThat(skipped.get(0).reason).isEqualTo(BigInteger.ONE);
    assertThat(InferenceHub.getInferenceSettledEvents(tx))
        .extracting(e -> e.requestId)
        .containsExactly(b.id);
    assertThat(revertOf(hub(RELAYER).submitReceipts(List.of(receiptA))))
        .isEqualTo(selector(InferenceHub.REQUESTNOTPENDING_ERROR));
  }

  @Test
  void aReceiptSignedForAnotherChainOrHubReverts() throws Exception {
    byte[] output = TensorCodec.encode(OUTPUT);
    long at = anvil.latestTimestamp();
    Requested r = request(DAPP, model1, FEE, null, 0);
    InferenceReceipt receipt =
        new InferenceReceipt(r.id, MODEL_HASH, r.request.inputHash, Hashes.keccak256(output), at);
    for (Eip712Domain elsewhere :
        List.of(
            Eip712Domain.credence(anvil.chainId() + 1, d.inferenceHub().getContractAddress()),
            Eip712Domain.credence(anvil.chainId(), d.workerRegistry().getContractAddress()))) {
      var rc =
          new InferenceHub.Receipt(
              r.id, r.request, output, HubReceipts.proof(at, KEY_1.sign(receipt, elsewhere)));
      assertThat(revertOf(hub(RELAYER).submitReceipts(List.of(rc))))
          .as("signed under %s", elsewhere)
          .isEqualTo(selector(WorkerRegistry.INACTIVEWORKER_ERROR));
    }
    hub(RELAYER).submitReceipts(List.of(signedReceipt(r, output, at, KEY_1))).send();
  }

  @Test
  void quorumTwoNeedsTwoGenuineWorkers() throws Exception {
    byte[] output = TensorCodec.encode(OUTPUT);
    long at = anvil.latestTimestamp();
    Requested r = request(DAPP, model2, FEE, null, 0);
    assertThat(
            revertOf(
                hub(RELAYER)
                    .submitReceipts(List.of(signedReceipt(r, output, at, KEY_1, NOT_A_WORKER)))))
        .isEqualTo(selector(WorkerRegistry.INACTIVEWORKER_ERROR));
    assertThat(revertOf(hub(RELAYER).submitReceipts(List.of(signedReceipt(r, output, at, KEY_1)))))
        .isEqualTo(selector(InferenceHub.WRONGSIGNATURECOUNT_ERROR));
    assertThat(
            revertOf(
                hub(RELAYER).submitReceipts(List.of(signedReceipt(r, output, at, KEY_1, KEY_1)))))
        .isEqualTo(selector(InferenceHub.SIGNERSNOTASCENDING_ERROR));

    BigInteger owed1 = d.rewardVault().claimable(OPERATOR_1.getAddress()).send();
    BigInteger owed2 = d.rewardVault().claimable(OPERATOR_2.getAddress()).send();
    TransactionReceipt tx =
        hub(RELAYER).submitReceipts(List.of(signedReceipt(r, output, at, KEY_1, KEY_2))).send();
    assertThat(InferenceHub.getInferenceSettledEvents(tx).get(0).proofs)
        .hasSize(2 * ReceiptProofs.PROOF_BYTES);
    BigInteger each = new FeeSplit(500, 2_000).divide(FEE, 2).workerEach();
    assertThat(d.rewardVault().claimable(OPERATOR_1.getAddress()).send())
        .isEqualTo(owed1.add(each));
    assertThat(d.rewardVault().claimable(OPERATOR_2.getAddress()).send())
        .isEqualTo(owed2.add(each));
  }

  @Test
  void aSolidityConsumerDecodesJavasTensors() throws Exception {
    ExampleConsumer consumer =
        ExampleConsumer.deploy(
                anvil.web3j(),
                anvil.transactionManager(DAPP),
                ContractDeployer.gas(anvil.chainId()),
                d.inferenceHub().getContractAddress())
            .send();
    long deadline = anvil.latestTimestamp() + 3_600;
    TransactionReceipt tx =
        consumer
            .classify(
                model1,
                TensorCodec.encode(INPUT),
                BigInteger.valueOf(deadline),
                BigInteger.ZERO,
                FEE)
            .send();
    var event = InferenceHub.getInferenceRequestedEvents(tx).get(0);
    Requested r = new Requested(event.requestId, toRequest(event), event);
    byte[] output = TensorCodec.encode(Tensor.ofInt64("label", new long[] {1}, 2), OUTPUT.get(0));
    hub(RELAYER)
        .submitReceipts(List.of(signedReceipt(r, output, anvil.latestTimestamp(), KEY_1)))
        .send();
    var answer = consumer.answers(r.id).send();
    assertThat(answer.component3()).as("answered").isTrue();
    assertThat(answer.component6()).as("argmax of [0.1, 0.7, 0.2]").isEqualTo(BigInteger.ONE);
  }

  @Test
  void aRequestSignedInJavaIsPaidFromTheDepositAndGasIsPaidBackAsTheJavaTwinSays()
      throws Exception {
    Credentials user =
        Credentials.create(Hashes.hex(Hashes.keccak256("a user with no ETH".getBytes())));
    BigInteger maxFee = BigInteger.valueOf(50_000_000_000L);
    byte[] input = TensorCodec.encode(INPUT);
    BigInteger allowance =
        hub(DAPP)
            .quoteSigned(model1, BigInteger.valueOf(input.length), BigInteger.ZERO, maxFee)
            .send()
            .component2();
    assertThat(allowance)
        .as("the Java twin quotes as the hub does")
        .isEqualTo(GasCharges.allowance(1, 0, maxFee, input.length));
    hub(DAPP).depositFor(user.getAddress(), FEE.add(allowance)).send();

    InferenceRequest signed =
        new InferenceRequest(
            user.getAddress(),
            model1,
            Hashes.keccak256(input),
            FEE,
            allowance,
            maxFee,
            anvil.latestTimestamp() + 3_600,
            InferenceRequest.NO_CALLBACK,
            0,
            InferenceRequest.nonce(BigInteger.valueOf(42), 0));
    assertThat(signed.digest(domain))
        .as("the digest the hub verifies")
        .isEqualTo(hub(DAPP).requestDigest(signed.toHub()).send());
    byte[] signature = new ReceiptSigner(user).sign(signed, domain);
    TransactionReceipt tx =
        hub(RELAYER).requestInferenceFor(signed.toHub(), input, signature).send();
    var event = InferenceHub.getInferenceRequestedEvents(tx).get(0);
    BigInteger submission = InferenceHub.getGasReimbursedEvents(tx).get(0).credited;
    assertThat(event.requester).isEqualToIgnoringCase(user.getAddress());
    assertThat(event.gasAllowance).isEqualTo(allowance.subtract(submission));
    assertThat(submission)
        .as("the submission paid back, at most what the transaction cost")
        .isPositive()
        .isLessThanOrEqualTo(
            tx.getGasUsed().multiply(Numeric.decodeQuantity(tx.getEffectiveGasPrice())));
    assertThat(hub(DAPP).balanceOf(user.getAddress()).send()).isZero();
    assertThat(hub(DAPP).nonces(user.getAddress(), BigInteger.valueOf(42)).send())
        .isEqualTo(InferenceRequest.nonce(BigInteger.valueOf(42), 1));

    // settled alone: the relayer is credited what the Java twin computes, to the wei
    Requested r = new Requested(event.requestId, toRequest(event), event);
    byte[] output = TensorCodec.encode(OUTPUT);
    TransactionReceipt settled =
        hub(RELAYER)
            .submitReceipts(List.of(signedReceipt(r, output, anvil.latestTimestamp(), KEY_1)))
            .send();
    BigInteger price =
        GasCharges.price(Numeric.decodeQuantity(settled.getEffectiveGasPrice()), maxFee);
    BigInteger expected =
        GasCharges.charge(
            GasCharges.receipt(1, 1, output.length) + GasCharges.REQUESTER_CREDIT,
            price,
            event.gasAllowance);
    var paid = InferenceHub.getGasReimbursedEvents(settled).get(0);
    assertThat(paid.credited).isEqualTo(expected);
    assertThat(paid.charges).containsExactly(expected);
    assertThat(hub(DAPP).balanceOf(user.getAddress()).send())
        .as("the rest of the allowance back to the user")
        .isEqualTo(event.gasAllowance.subtract(expected));
  }

  // ------------------------------------------------------------------ helpers

  /**
   * A settled answer challenged, its jury's verdicts signed in Java and proven wrong: the batch
   * record computed in Java is the hub's, the verdict digest the court's, and the signer loses its
   * stake while the requester is refunded.
   */
  @Test
  void anAnswerAJuryProvesWrongInJavaSlashesItsSigner() throws Exception {
    Requested r = request(DAPP, model1, FEE, null, 0);
    byte[] output = TensorCodec.encode(OUTPUT);
    TransactionReceipt settled =
        hub(RELAYER)
            .submitReceipts(List.of(signedReceipt(r, output, anvil.latestTimestamp(), KEY_4)))
            .send();
    long settledBlock = settled.getBlockNumber().longValueExact();
    long settledAt =
        anvil
            .web3j()
            .ethGetBlockByNumber(
                org.web3j.protocol.core.DefaultBlockParameter.valueOf(settled.getBlockNumber()),
                false)
            .send()
            .getBlock()
            .getTimestamp()
            .longValueExact();
    SettlementRecords.Leaf leaf =
        new SettlementRecords.Leaf(
            r.id.longValueExact(), r.request, Hashes.keccak256(output), List.of(KEY_4.address()));
    assertThat(d.inferenceHub().hashRequest(r.request).send())
        .as("commitment")
        .isEqualTo(SettlementRecords.commitment(r.request));
    assertThat(d.inferenceHub().batchRecord(r.id).send())
        .as("the batch record Java computes is the hub's")
        .isEqualTo(SettlementRecords.record(List.of(leaf), settledBlock, settledAt));

    DisputeCourt court = as(DisputeCourt.class, d.disputeCourt(), CHALLENGER);
    BigInteger bond = court.requiredBond(FEE).send();
    TransactionReceipt opened =
        court
            .challenge(
                SettlementRecords.batch(
                    r.id.longValueExact(), settledBlock, settledAt, List.of(leaf)),
                BigInteger.ZERO,
                leaf.toCourt(),
                bond)
            .send();
    BigInteger id = DisputeCourt.getDisputeOpenedEvents(opened).get(0).disputeId;
    anvil.mine(1);
    court.drawJury(id).send();
    DisputeCourt.Dispute dispute = court.dispute(id).send();
    assertThat(dispute.jurors).hasSize(3).doesNotContain(KEY_4.address());

    byte[] mine = Hashes.keccak256("the jury's output".getBytes());
    List<DisputeCourt.Verdict> verdicts = new java.util.ArrayList<>();
    for (String juror : dispute.jurors) {
      ReceiptSigner key =
          List.of(KEY_1, KEY_2, KEY_3).stream()
              .filter(k -> k.address().equalsIgnoreCase(juror))
              .findFirst()
              .orElseThrow();
      Verdict v = new Verdict(id, r.id, Hashes.keccak256(output), mine, false);
      assertThat(court.verdictDigest(id, r.id, v.outputHash(), mine, false).send())
          .as("the verdict digest Java computes is the court's")
          .isEqualTo(v.digest(domain));
      verdicts.add(new DisputeCourt.Verdict(id, mine, false, key.sign(v, domain)));
    }
    BigInteger dappBefore = d.rewardVault().balanceOf(DAPP.getAddress()).send();
    court.submitVerdicts(verdicts).send();
    assertThat(DisputeState.ofCode(court.dispute(id).send().state.intValueExact()))
        .isEqualTo(DisputeState.FAULT_PROVEN);
    assertThat(d.workerRegistry().isActive(KEY_4.address()).send()).as("slashed").isFalse();
    assertThat(d.rewardVault().balanceOf(DAPP.getAddress()).send().subtract(dappBefore))
        .as("refunded")
        .isEqualTo(FEE);
  }

  private record Requested(
      BigInteger id,
      InferenceHub.Request request,
      InferenceHub.InferenceRequestedEventResponse event) {}

  private Requested request(
      Credentials from, BigInteger model, BigInteger value, String callback, long callbackGas)
      throws Exception {
    long deadline = anvil.latestTimestamp() + 3_600;
    TransactionReceipt tx =
        hub(from)
            .requestInference(
                model,
                TensorCodec.encode(INPUT),
                BigInteger.valueOf(deadline),
                callback == null ? "0x0000000000000000000000000000000000000000" : callback,
                BigInteger.valueOf(callbackGas),
                BigInteger.ZERO,
                BigInteger.ZERO,
                value)
            .send();
    var event = InferenceHub.getInferenceRequestedEvents(tx).get(0);
    return new Requested(event.requestId, toRequest(event), event);
  }

  private static InferenceHub.Request toRequest(InferenceHub.InferenceRequestedEventResponse e) {
    return HubReceipts.request(e);
  }

  /** A receipt signed by {@code keys} (a key given twice signs twice, to test duplicates). */
  private InferenceHub.Receipt signedReceipt(
      Requested r, byte[] output, long executedAt, ReceiptSigner... keys) {
    InferenceReceipt receipt =
        new InferenceReceipt(
            r.id, MODEL_HASH, r.request.inputHash, Hashes.keccak256(output), executedAt);
    if (Arrays.stream(keys).distinct().count() < keys.length) {
      ByteArrayOutputStream proofs = new ByteArrayOutputStream();
      Arrays.stream(keys)
          .forEach(k -> proofs.writeBytes(HubReceipts.proof(executedAt, k.sign(receipt, domain))));
      return new InferenceHub.Receipt(r.id, r.request, output, proofs.toByteArray());
    }
    // each worker signs the time it ran the job: here a second apart
    List<HubReceipts.Signed> signed = new java.util.ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      long at = executedAt - i;
      InferenceReceipt mine =
          new InferenceReceipt(r.id, MODEL_HASH, r.request.inputHash, Hashes.keccak256(output), at);
      signed.add(new HubReceipts.Signed(keys[i].address(), at, keys[i].sign(mine, domain)));
    }
    return HubReceipts.receipt(r.id, r.request, output, signed);
  }

  private InferenceHub hub(Credentials who) {
    return as(InferenceHub.class, d.inferenceHub(), who);
  }

  private <C extends Contract> C as(Class<C> type, C contract, Credentials who) {
    try {
      return type.cast(
          type.getMethod(
                  "load",
                  String.class,
                  org.web3j.protocol.Web3j.class,
                  org.web3j.tx.TransactionManager.class,
                  org.web3j.tx.gas.ContractGasProvider.class)
              .invoke(
                  null,
                  contract.getContractAddress(),
                  anvil.web3j(),
                  anvil.transactionManager(who),
                  ContractDeployer.gas(anvil.chainId())));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The 4-byte selector a call reverts with, found by simulating it (eth_call). */
  private String revertOf(RemoteFunctionCall<TransactionReceipt> call) throws Exception {
    String to = d.inferenceHub().getContractAddress();
    EthCall result =
        anvil
            .web3j()
            .ethCall(
                Transaction.createEthCallTransaction(
                    RELAYER.getAddress(), to, call.encodeFunctionCall()),
                DefaultBlockParameterName.LATEST)
            .send();
    assertThat(result.isReverted() || result.hasError()).as("the call reverts").isTrue();
    String data =
        result.hasError() ? String.valueOf(result.getError().getData()) : result.getValue();
    return data.replace("\"", "").substring(0, 10);
  }

  private static String selector(CustomError error) {
    return CustomErrorEncoder.encode(error).substring(0, 10);
  }

  private static BigInteger Numeric(String hexQuantity) {
    return org.web3j.utils.Numeric.decodeQuantity(hexQuantity);
  }
}
