package io.credence.indexer;

import io.credence.contracts.ExampleConsumer;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceFailure;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.WorkerKeyProof;
import io.credence.protocol.settlement.HubReceipts;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.ContractGasProvider;

/**
 * Drives the contracts through a history that emits every event the indexer follows: datasets,
 * models with contributors, versions, fee changes, ownership transfers and retirement; workers
 * registering, adding stake, unbonding, withdrawing and being slashed; requests settled (quorum 1
 * and 2, in batches), failed, expired, skipped, with a failing callback; split and treasury
 * changes; pool distributions, protocol fee collections and claims; pausing, limits and the worker
 * registry's settings. Lineage (derived models, their pools paid up the chain) is {@link #lineage},
 * run after the scripted history so that its counts stay as they are.
 */
final class History {
  static final BigInteger FEE = BigInteger.valueOf(1_000_000_000_000_007L);

  /** The most per gas the history's requests pay back from their allowances. */
  static final BigInteger MAX_FEE = BigInteger.valueOf(50_000_000_000L);

  /** What the history deposits for P2 (RewardVault.depositFor). */
  static final BigInteger DEPOSIT = BigInteger.TEN.pow(17);

  static final String ZERO = "0x0000000000000000000000000000000000000000";
  static final Credentials OWNER = AnvilNode.devAccount(0);
  static final Credentials AUTHOR = AnvilNode.devAccount(1);
  static final Credentials P1 = AnvilNode.devAccount(2);
  static final Credentials OP1 = AnvilNode.devAccount(3);
  static final Credentials OP2 = AnvilNode.devAccount(4);
  static final Credentials P2 = AnvilNode.devAccount(5);
  static final Credentials TREASURY2 = AnvilNode.devAccount(6);
  static final Credentials DAPP = AnvilNode.devAccount(7);
  static final Credentials REPORTER = AnvilNode.devAccount(8);
  static final Credentials NEW_OWNER = AnvilNode.devAccount(9);
  static final Credentials K1 =
      Credentials.create(
          Hashes.hex(Hashes.keccak256("indexer test worker 1".getBytes(StandardCharsets.UTF_8))));
  static final Credentials K2 =
      Credentials.create(
          Hashes.hex(Hashes.keccak256("indexer test worker 2".getBytes(StandardCharsets.UTF_8))));

  final AnvilNode anvil;
  final ContractDeployer.Deployment d;
  final ContractGasProvider gas;
  final Eip712Domain domain;
  long m1;
  long m2;
  long m3;
  private int inputs;

  History(AnvilNode anvil, ContractDeployer.Deployment d) {
    this.anvil = anvil;
    this.d = d;
    this.gas = ContractDeployer.gas(anvil.chainId());
    this.domain = Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress());
  }

  /** Every account the history touches. */
  static List<String> accounts() {
    List<String> out = new ArrayList<>();
    for (Credentials c :
        List.of(OWNER, AUTHOR, P1, OP1, OP2, P2, TREASURY2, DAPP, REPORTER, NEW_OWNER, K1, K2)) {
      out.add(c.getAddress());
    }
    return out;
  }

  InferenceHub hub(Credentials who) {
    return InferenceHub.load(
        d.inferenceHub().getContractAddress(), anvil.web3j(), anvil.transactionManager(who), gas);
  }

  ModelRegistry registry(Credentials who) {
    return ModelRegistry.load(
        d.modelRegistry().getContractAddress(), anvil.web3j(), anvil.transactionManager(who), gas);
  }

  WorkerRegistry workers(Credentials who) {
    return WorkerRegistry.load(
        d.workerRegistry().getContractAddress(), anvil.web3j(), anvil.transactionManager(who), gas);
  }

  /** The whole scripted history. */
  void run() throws Exception {
    byte[] hA = Hashes.sha256("dataset A".getBytes(StandardCharsets.UTF_8));
    byte[] hB = Hashes.sha256("dataset B".getBytes(StandardCharsets.UTF_8));
    registry(P1).registerDataset(hA, "file:a.csv").send();
    registry(P2).registerDataset(hB, "file:b.csv").send();
    m1 =
        model(
            registry(AUTHOR)
                .registerModel(
                    Hashes.sha256("model 1".getBytes(StandardCharsets.UTF_8)),
                    "file:m1.onnx",
                    FEE,
                    BigInteger.ONE,
                    List.of(
                        contributor(AUTHOR, 1, 6_000, new byte[32]),
                        contributor(P1, 2, 2_001, hA),
                        contributor(P2, 2, 1_999, hB)))
                .send());
    m2 =
        model(
            registry(AUTHOR)
                .registerModel(
                    Hashes.sha256("model 2".getBytes(StandardCharsets.UTF_8)),
                    "file:m2.onnx",
                    FEE,
                    BigInteger.TWO,
                    List.of(
                        contributor(AUTHOR, 1, 7_000, new byte[32]),
                        contributor(REPORTER, 3, 3_000, new byte[32])))
                .send());
    m3 =
        model(
            registry(AUTHOR)
                .registerModelVersion(
                    BigInteger.valueOf(m1),
                    Hashes.sha256("model 1 v2".getBytes(StandardCharsets.UTF_8)),
                    "file:m1v2.onnx",
                    FEE,
                    BigInteger.ONE,
                    List.of(contributor(AUTHOR, 1, 10_000, new byte[32])))
                .send());
    registry(AUTHOR).transferModelOwnership(BigInteger.valueOf(m1), NEW_OWNER.getAddress()).send();
    registry(NEW_OWNER).acceptModelOwnership(BigInteger.valueOf(m1)).send();

    Eip712Domain registryDomain =
        Eip712Domain.workerRegistry(anvil.chainId(), d.workerRegistry().getContractAddress());
    workers(OP1)
        .register(
            K1.getAddress(),
            WorkerKeyProof.sign(new ReceiptSigner(K1), registryDomain, OP1.getAddress()),
            BigInteger.TEN.pow(18))
        .send();
    workers(OP2)
        .register(
            K2.getAddress(),
            WorkerKeyProof.sign(new ReceiptSigner(K2), registryDomain, OP2.getAddress()),
            BigInteger.TEN.pow(18))
        .send();
    workers(OP1).addStake(K1.getAddress(), BigInteger.TEN.pow(17)).send();
    hub(OWNER).depositFor(P2.getAddress(), DEPOSIT).send();

    var r1 = request(m1, 3_600);
    var r2 = request(m1, 3_600);
    var r3 = request(m1, 3_600);
    var r4 = request(m1, 3_600);
    var r5 = request(m2, 3_600);
    hub(OP1).submitReceipts(List.of(receipt(r1, "out 1", K1), receipt(r2, "out 2", K1))).send();
    fail(r3, K1);
    hub(OP2).submitReceipts(List.of(receipt(r5, "out 5", K1, K2))).send();
    // r1 again with r4: r1 is skipped, r4 settles
    hub(OP1).submitReceipts(List.of(receipt(r1, "out 1", K1), receipt(r4, "out 4", K1))).send();

    hub(OWNER).setSplit(BigInteger.valueOf(1_000), BigInteger.valueOf(1_500)).send();
    var r6 = request(m1, 3_600);
    hub(OP2).submitReceipts(List.of(receipt(r6, "out 6", K2))).send();

    var r7 = request(m1, 100);
    anvil.increaseTime(200);
    hub(REPORTER).expire(r7.requestId, HubReceipts.request(r7)).send();

    // a dApp whose callback reverts on an output it cannot decode
    ExampleConsumer consumer =
        ExampleConsumer.deploy(
                anvil.web3j(),
                anvil.transactionManager(DAPP),
                gas,
                d.inferenceHub().getContractAddress())
            .send();
    TransactionReceipt asked =
        consumer
            .classify(
                BigInteger.valueOf(m1),
                input(),
                BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(3_600)),
                BigInteger.ZERO,
                FEE)
            .send();
    var r8 = InferenceHub.getInferenceRequestedEvents(asked).get(0);
    hub(OP1).submitReceipts(List.of(receipt(r8, "not tensors", K1))).send();

    registry(P1)
        .registerDataset(Hashes.sha256("dataset C".getBytes(StandardCharsets.UTF_8)), "file:c.csv")
        .send();
    hub(P1).claim(List.of(BigInteger.valueOf(m1))).send();
    hub(OP1).claim().send();
    hub(DAPP).claim().send();
    hub(OWNER).claim().send();
    var r9 = request(m3, 3_600);
    hub(OP1).submitReceipts(List.of(receipt(r9, "out 9", K1))).send();
    hub(OWNER).setTreasury(TREASURY2.getAddress()).send();
    var r10 = request(m2, 3_600);
    hub(OP1).submitReceipts(List.of(receipt(r10, "out 10", K1, K2))).send();
    hub(REPORTER).distribute(BigInteger.valueOf(m2)).send();
    hub(OWNER).collectProtocolFees().send();

    workers(OP2).unbond(K2.getAddress(), BigInteger.TEN.pow(17)).send();
    anvil.increaseTime(7 * 24 * 3600 + 1);
    workers(OP2).withdraw(K2.getAddress()).send();

    // K1 signs two outputs for one request: reported, slashed
    var r11 = request(m1, 3_600);
    byte[] modelHash = d.inferenceHub().modelTerms(BigInteger.valueOf(m1)).send().component1();
    long at = anvil.latestTimestamp();
    hub(REPORTER)
        .reportEquivocation(signed(r11, modelHash, "yes", at), signed(r11, modelHash, "no", at))
        .send();

    registry(NEW_OWNER).setModelFee(BigInteger.valueOf(m1), FEE.multiply(BigInteger.TWO)).send();
    registry(AUTHOR).retireModel(BigInteger.valueOf(m2)).send();

    hub(OWNER).pause().send();
    hub(OWNER).unpause().send();
    hub(OWNER).setLimits(BigInteger.valueOf(70_000), BigInteger.valueOf(2_000_000)).send();
    workers(OWNER).setMinStake(BigInteger.TEN.pow(17)).send();
    workers(OWNER).setUnbondingDelay(BigInteger.valueOf(7 * 24 * 3600)).send();
    workers(OWNER).setSlashRewardBps(BigInteger.valueOf(1_000)).send();
  }

  /**
   * The demo Iris classifier registered from its committed file (so the indexer finds its card next
   * to it), asked about one flower and settled by K2 with {@code probabilities}.
   *
   * @return the request id
   */
  long irisRequest(float... probabilities) throws Exception {
    java.nio.file.Path onnx =
        java.nio.file.Path.of("..", "models", "demo", "iris-classifier.onnx")
            .toAbsolutePath()
            .normalize();
    long model =
        model(
            registry(AUTHOR)
                .registerModel(
                    Hashes.sha256(java.nio.file.Files.readAllBytes(onnx)),
                    onnx.toUri().toString(),
                    FEE,
                    BigInteger.ONE,
                    List.of(contributor(AUTHOR, 1, 10_000, new byte[32])))
                .send());
    byte[] input =
        io.credence.protocol.tensor.TensorCodec.encode(
            io.credence.protocol.tensor.Tensor.ofFloat32(
                "features", new long[] {1, 4}, 1.4f, 0.2f, 5.1f, 3.5f));
    TransactionReceipt asked =
        hub(DAPP)
            .requestInference(
                BigInteger.valueOf(model),
                input,
                BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(3_600)),
                ZERO,
                BigInteger.ZERO,
                BigInteger.ZERO,
                BigInteger.ZERO,
                FEE)
            .send();
    var r = InferenceHub.getInferenceRequestedEvents(asked).get(0);
    byte[] output =
        io.credence.protocol.tensor.TensorCodec.encode(
            io.credence.protocol.tensor.Tensor.ofFloat32(
                "probabilities", new long[] {1, 3}, probabilities));
    hub(OP2).submitReceipts(List.of(receipt(r, output, K2))).send();
    return r.requestId.longValueExact();
  }

  /**
   * A lineage of three generations: {@code derived} fine-tuned from model 1 (15.01 % of its pool to
   * model 1), {@code grandchild} distilled from it (25 %) and an ensemble with model 3 (3.33 %).
   *
   * @param paid the LineagePaid events the history's distributions emitted, in order
   * @param lastOnGrandchild the last request settled on the grandchild
   */
  record Lineage(
      long derived,
      long grandchild,
      List<InferenceHub.LineagePaidEventResponse> paid,
      long lastOnGrandchild) {}

  /**
   * Registers the lineage, settles requests on both derived models, distributes the grandchild's
   * pool (into the derived model's and model 3's), has REPORTER claim naming the derived model
   * (into model 1's), then settles once more on each so that every pool of the chain holds
   * something undistributed.
   */
  Lineage lineage() throws Exception {
    long derived =
        derived(
            P2,
            "model 1 fine-tuned",
            List.of(
                contributor(P2, 1, 7_001, new byte[32]),
                contributor(REPORTER, 3, 2_999, new byte[32])),
            List.of(parent(m1, 1, 1_501)));
    long grandchild =
        derived(
            NEW_OWNER,
            "model 1 distilled",
            List.of(
                contributor(NEW_OWNER, 1, 6_667, new byte[32]),
                contributor(P1, 3, 3_333, new byte[32])),
            List.of(parent(derived, 2, 2_500), parent(m3, 4, 333)));
    settle(grandchild, 2);
    settle(derived, 1);
    List<InferenceHub.LineagePaidEventResponse> paid = new ArrayList<>();
    paid.addAll(
        InferenceHub.getLineagePaidEvents(
            hub(REPORTER).distribute(BigInteger.valueOf(grandchild)).send()));
    paid.addAll(
        InferenceHub.getLineagePaidEvents(
            hub(REPORTER).claim(List.of(BigInteger.valueOf(derived))).send()));
    long last = settle(grandchild, 1);
    settle(derived, 1);
    return new Lineage(derived, grandchild, paid, last);
  }

  private long derived(
      Credentials owner,
      String name,
      List<ModelRegistry.Contributor> contributors,
      List<ModelRegistry.Parent> parents)
      throws Exception {
    return model(
        registry(owner)
            .registerDerivedModel(
                Hashes.sha256(name.getBytes(StandardCharsets.UTF_8)),
                "file:" + name.replace(' ', '-') + ".onnx",
                FEE,
                BigInteger.ONE,
                contributors,
                parents)
            .send());
  }

  /** Settles {@code n} requests on {@code model}; returns the last one's id. */
  private long settle(long model, int n) throws Exception {
    long last = 0;
    for (int i = 0; i < n; i++) {
      var r = request(model, 3_600);
      hub(OP2).submitReceipts(List.of(receipt(r, "lineage " + inputs, K2))).send();
      last = r.requestId.longValueExact();
    }
    return last;
  }

  private static ModelRegistry.Parent parent(long modelId, int kind, int bps) {
    return new ModelRegistry.Parent(
        BigInteger.valueOf(modelId), BigInteger.valueOf(kind), BigInteger.valueOf(bps));
  }

  /** A few more settled and claimed requests, for the reorg test. */
  void more(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      var r = request(m3, 3_600);
      hub(OP1).submitReceipts(List.of(receipt(r, "more " + i, K2))).send();
      if (i % 3 == 2) {
        hub(AUTHOR).claim(List.of(BigInteger.valueOf(m3))).send();
      }
    }
  }

  private InferenceHub.SignedReceipt signed(
      InferenceHub.InferenceRequestedEventResponse r, byte[] modelHash, String output, long at) {
    byte[] outputHash = Hashes.keccak256(output.getBytes(StandardCharsets.UTF_8));
    byte[] digest =
        new InferenceReceipt(r.requestId, modelHash, r.inputHash, outputHash, at).digest(domain);
    return new InferenceHub.SignedReceipt(
        r.requestId,
        modelHash,
        r.inputHash,
        outputHash,
        BigInteger.valueOf(at),
        new ReceiptSigner(K1).sign(digest));
  }

  private static long model(TransactionReceipt tx) {
    return ModelRegistry.getModelRegisteredEvents(tx).get(0).modelId.longValueExact();
  }

  private static ModelRegistry.Contributor contributor(
      Credentials who, int role, int bps, byte[] dataset) {
    return new ModelRegistry.Contributor(
        who.getAddress(), BigInteger.valueOf(role), BigInteger.valueOf(bps), dataset);
  }

  private byte[] input() {
    return ("input " + inputs++).getBytes(StandardCharsets.UTF_8);
  }

  /** A request of DAPP's, with the allowance hub.quote says at {@link #MAX_FEE}. */
  InferenceHub.InferenceRequestedEventResponse request(long model, long deadlineSeconds)
      throws Exception {
    var quote = d.inferenceHub().quote(BigInteger.valueOf(model), BigInteger.ZERO, MAX_FEE).send();
    BigInteger fee = quote.component1();
    BigInteger allowance = quote.component2();
    TransactionReceipt tx =
        hub(DAPP)
            .requestInference(
                BigInteger.valueOf(model),
                input(),
                BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(deadlineSeconds)),
                ZERO,
                BigInteger.ZERO,
                allowance,
                MAX_FEE,
                fee.add(allowance))
            .send();
    return InferenceHub.getInferenceRequestedEvents(tx).get(0);
  }

  /**
   * A request P2 signs off-chain, paid from its deposit, submitted by REPORTER (paid back its gas
   * from the allowance), then settled (K2 signs; K1 was slashed) by OP1 in one batch with a request
   * of DAPP's.
   *
   * @return the transactions: the signed request's submission and the settlement
   */
  List<TransactionReceipt> signedRequest() throws Exception {
    byte[] input = input();
    var quote =
        d.inferenceHub()
            .quoteSigned(
                BigInteger.valueOf(m3), BigInteger.valueOf(input.length), BigInteger.ZERO, MAX_FEE)
            .send();
    io.credence.protocol.receipt.InferenceRequest signed =
        new io.credence.protocol.receipt.InferenceRequest(
            P2.getAddress(),
            BigInteger.valueOf(m3),
            Hashes.keccak256(input),
            quote.component1(),
            quote.component2(),
            MAX_FEE,
            new ChainTime(anvil.web3j()).deadlineIn(3_600),
            io.credence.protocol.receipt.InferenceRequest.NO_CALLBACK,
            0,
            io.credence.protocol.receipt.InferenceRequest.nonce(BigInteger.ZERO, 0));
    TransactionReceipt submitted =
        hub(REPORTER)
            .requestInferenceFor(signed.toHub(), input, new ReceiptSigner(P2).sign(signed, domain))
            .send();
    var r = InferenceHub.getInferenceRequestedEvents(submitted).get(0);
    var other = request(m3, 3_600);
    TransactionReceipt settled =
        hub(OP1)
            .submitReceipts(List.of(receipt(other, "other", K2), receipt(r, "signed", K2)))
            .send();
    return List.of(submitted, settled);
  }

  private InferenceHub.Receipt receipt(
      InferenceHub.InferenceRequestedEventResponse r, String output, Credentials... keys)
      throws Exception {
    return receipt(r, output.getBytes(StandardCharsets.UTF_8), keys);
  }

  private InferenceHub.Receipt receipt(
      InferenceHub.InferenceRequestedEventResponse r, byte[] out, Credentials... keys)
      throws Exception {
    byte[] modelHash = d.inferenceHub().modelTerms(r.modelId).send().component1();
    List<HubReceipts.Signed> signed = new ArrayList<>();
    long at = anvil.latestTimestamp();
    for (Credentials k : keys) {
      byte[] digest =
          new InferenceReceipt(r.requestId, modelHash, r.inputHash, Hashes.keccak256(out), at)
              .digest(domain);
      signed.add(new HubReceipts.Signed(k.getAddress(), at, new ReceiptSigner(k).sign(digest)));
    }
    return HubReceipts.receipt(r.requestId, HubReceipts.request(r), out, signed);
  }

  private void fail(InferenceHub.InferenceRequestedEventResponse r, Credentials key)
      throws Exception {
    byte[] modelHash = d.inferenceHub().modelTerms(r.modelId).send().component1();
    byte[] detailHash = InferenceFailure.detailHash("input does not fit the model");
    byte[] digest =
        new InferenceFailure(
                r.requestId,
                modelHash,
                r.inputHash,
                io.credence.protocol.receipt.FailureReason.ofCode(2),
                detailHash)
            .digest(domain);
    hub(OP1)
        .submitFailures(
            List.of(
                HubReceipts.failure(
                    r.requestId,
                    HubReceipts.request(r),
                    2,
                    detailHash,
                    Map.of(key.getAddress(), new ReceiptSigner(key).sign(digest)))))
        .send();
  }
}
