package io.credence.bench;

import io.credence.contracts.Feedback;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.RewardVault;
import io.credence.contracts.WorkerRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.dispute.SettlementRecords;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.FailureReason;
import io.credence.protocol.receipt.InferenceFailure;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.InferenceRequest;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.WorkerKeyProof;
import io.credence.protocol.settlement.FeeSplit;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.Contract;
import org.web3j.tx.Transfer;
import org.web3j.utils.Convert;
import org.web3j.utils.Numeric;

// Over 400 lines on purpose: one benchmark whose figures are measured in the order they run, each
// section (requests, batches and their fit, failures, expiry, contributors, lineage, a rating, a
// claim) on the chain state the previous one left; split, the sections would pass that state
// around.
/**
 * Gas of the protocol's hot paths, measured as {@code gasUsed} of real transactions on a fresh
 * anvil (default hardfork), sent through the generated bindings exactly as the relayer and a dApp
 * would. Steady state: the worker, treasury and model pool already hold a balance (one warm-up
 * settlement per model), as they do on a network in use. A plain ETH transfer sent the same way is
 * the in-run baseline.
 */
public final class GasBench {
  private static final BigInteger FEE =
      Convert.toWei("0.01", Convert.Unit.ETHER).toBigIntegerExact();
  private static final byte[] MODEL_HASH = Hashes.sha256("bench model".getBytes());
  private static final String NO_CALLBACK = "0x0000000000000000000000000000000000000000";

  /** What the bench's requests pay back gas at, at most: far above anvil's base fee. */
  private static final BigInteger MAX_FEE_PER_GAS = BigInteger.valueOf(50_000_000_000L);

  private final AnvilNode anvil;
  private final ContractDeployer.Deployment d;
  private final Eip712Domain domain;
  private final ReceiptSigner worker =
      new ReceiptSigner(
          Credentials.create(Hashes.hex(Hashes.keccak256("bench worker".getBytes()))));
  private final Credentials dapp = AnvilNode.devAccount(5);
  private final Credentials relayer = AnvilNode.devAccount(6);
  private static final Credentials CLAIMANT = AnvilNode.devAccount(7);
  private final byte[] output =
      TensorCodec.encode(Tensor.ofFloat32("probabilities", new long[] {1, 3}, 0.1f, 0.7f, 0.2f));

  /** 64 bytes of input, as the request.gas figure specifies. */
  private final byte[] input64 =
      concat(Hashes.keccak256("a".getBytes()), Hashes.keccak256("b".getBytes()));

  private GasBench(AnvilNode anvil) throws Exception {
    this.anvil = anvil;
    this.d = ContractDeployer.deploy(anvil);
    this.domain = Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress());
    Credentials operator = AnvilNode.devAccount(3);
    byte[] proof =
        WorkerKeyProof.sign(
            worker,
            Eip712Domain.workerRegistry(anvil.chainId(), d.workerRegistry().getContractAddress()),
            operator.getAddress());
    load(WorkerRegistry.class, d.workerRegistry(), operator)
        .register(
            worker.address(), proof, Convert.toWei("1", Convert.Unit.ETHER).toBigIntegerExact())
        .send();
  }

  public static void main(String[] args) throws Exception {
    Path results = Path.of(args.length > 0 ? args[0] : "bench/results/gas.txt");
    try (AnvilNode anvil =
        AnvilNode.start(AnvilNode.Options.forTests(Path.of("bench", "target").toAbsolutePath()))) {
      run(anvil).write(results);
    }
  }

  /** Measures every figure on {@code anvil}, which gets a fresh deployment. */
  public static Figures run(AnvilNode anvil) throws Exception {
    return new GasBench(anvil).measure();
  }

  private Figures measure() throws Exception {
    Figures f = new Figures("scripts/bench gas");

    TransactionReceipt transfer =
        new Transfer(anvil.web3j(), anvil.transactionManager(dapp))
            .sendFunds(relayer.getAddress(), BigDecimal.ONE, Convert.Unit.WEI)
            .send();
    long baseline = transfer.getGasUsed().longValueExact();
    f.add("baseline.transfer.gas", baseline, "gas");

    BigInteger demo = registerModel(contributors(3, CLAIMANT.getAddress()));
    BigInteger one = registerModel(contributors(1, "0x00000000000000000000000000000000000c1a01"));
    BigInteger twenty =
        registerModel(contributors(20, "0x00000000000000000000000000000000000c1a20"));
    for (BigInteger model : List.of(demo, one, twenty)) {
      settle(List.of(request(model)));
    }

    TransactionReceipt req = request(demo, dapp).tx();
    long requestGas = req.getGasUsed().longValueExact();
    f.add("request.gas", requestGas, "gas");
    f.add("request.vs_transfer.ratio", (double) requestGas / baseline, "ratio");

    // a request signed off-chain (EOA) and submitted by the relayer, paid back from its allowance
    Credentials user =
        Credentials.create(Hashes.hex(Hashes.keccak256("bench signed requester".getBytes())));
    var quoted =
        hub(dapp)
            .quoteSigned(demo, BigInteger.valueOf(input64.length), BigInteger.ZERO, MAX_FEE_PER_GAS)
            .send();
    hub(dapp)
        .depositFor(user.getAddress(), FEE.add(quoted.component2()).multiply(BigInteger.TWO))
        .send();
    TransactionReceipt signedTx = null;
    for (int i = 0; i < 2; i++) { // the second is the steady state: the nonce's slot exists
      InferenceRequest signed =
          new InferenceRequest(
              user.getAddress(),
              demo,
              Hashes.keccak256(input64),
              FEE,
              quoted.component2(),
              MAX_FEE_PER_GAS,
              new ChainTime(anvil.web3j()).deadlineIn(3_600),
              InferenceRequest.NO_CALLBACK,
              0,
              InferenceRequest.nonce(BigInteger.ZERO, i));
      signedTx =
          hub(relayer)
              .requestInferenceFor(
                  signed.toHub(), input64, new ReceiptSigner(user).sign(signed, domain))
              .send();
    }
    f.add("request.signed.gas", signedTx.getGasUsed().longValueExact(), "gas");
    f.add("reimbursement.request.signed.error.ratio", creditedVsSpent(signedTx), "ratio");

    // batches of 1, 10 and 32 receipts of one requester: the gas, what the allowances paid back
    // (GasReimbursed) against what the transaction cost, and a least-squares line gas = a + b n,
    // from which GasCharges' BATCH (a) and per-receipt figures (b) are taken
    long single = 0;
    long batchGas = 0;
    int[] sizes = {1, 10, 32};
    double[] gas = new double[sizes.length];
    for (int k = 0; k < sizes.length; k++) {
      int n = sizes[k];
      List<Requested> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(request(demo, dapp));
      }
      Settled s = settleMeasured(batch);
      gas[k] = s.gasUsed();
      f.add("settle.batch" + n + ".gas", s.gasUsed(), "gas");
      f.add("reimbursement.batch" + n + ".error.ratio", s.creditedVsSpent(), "ratio");
      if (n == 1) {
        single = s.gasUsed();
      } else if (n == 32) {
        batchGas = s.gasUsed();
      }
    }
    double[] line = leastSquares(sizes, gas);
    f.add("fit.batch.gas", Math.round(line[0]), "gas");
    f.add("fit.receipt.gas", Math.round(line[1]), "gas");
    f.add("settle.single.gas", single, "gas");
    f.add("settle.batch32.per_receipt.gas", batchGas / 32, "gas");
    f.add("settle.batch32.vs_single.ratio", (double) batchGas / 32 / single, "ratio");

    // 32 requesters in one batch: each is owed the rest of its own allowance
    List<Requested> distinct = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      Credentials requester =
          Credentials.create(Hashes.hex(Hashes.keccak256(("bench requester " + i).getBytes())));
      new Transfer(anvil.web3j(), anvil.transactionManager(dapp))
          .sendFunds(requester.getAddress(), BigDecimal.valueOf(50), Convert.Unit.ETHER)
          .send();
      distinct.add(request(demo, requester));
    }
    Settled d32 = settleMeasured(distinct);
    f.add("settle.batch32.distinct_requesters.per_receipt.gas", d32.gasUsed() / 32, "gas");
    f.add("reimbursement.batch32.distinct_requesters.error.ratio", d32.creditedVsSpent(), "ratio");

    // a failure refunded alone, and an expiry: what they cost against what they were paid back
    Requested failing = request(demo);
    InferenceFailure failure =
        InferenceFailure.of(
            failing.id(),
            MODEL_HASH,
            failing.request().inputHash,
            FailureReason.BAD_INPUT_ENCODING,
            "bench");
    TransactionReceipt failed =
        hub(relayer)
            .submitFailures(
                List.of(
                    HubReceipts.failure(
                        failing.id(),
                        failing.request(),
                        failure.reason().code(),
                        failure.detailHash(),
                        java.util.Map.of(worker.address(), worker.sign(failure, domain)))))
            .send();
    f.add("fail.single.gas", failed.getGasUsed().longValueExact(), "gas");
    f.add("reimbursement.fail.error.ratio", creditedVsSpent(failed), "ratio");
    Requested expiring = request(demo);
    anvil.increaseTime(7_200);
    TransactionReceipt expired = hub(relayer).expire(expiring.id(), expiring.request()).send();
    f.add("expire.gas", expired.getGasUsed().longValueExact(), "gas");
    f.add("reimbursement.expire.error.ratio", creditedVsSpent(expired), "ratio");

    long c1 = settle(List.of(request(one)));
    long c20 = settle(List.of(request(twenty)));
    f.add("settle.contributors1.gas", c1, "gas");
    f.add("settle.contributors20.gas", c20, "gas");
    f.add("settle.contributors20_vs_1.ratio", (double) c20 / c1, "ratio");

    // lineage: a model three derivations from a base (base <- l1 <- l2 <- l3, 20 % to each
    // parent); settling on it reads nothing more, distributing its pool pays its parent's first
    String lineageAuthor = "0x00000000000000000000000000000000000c1a03";
    BigInteger l1 = registerDerived(contributors(1, lineageAuthor), one);
    BigInteger l2 = registerDerived(contributors(1, lineageAuthor), l1);
    BigInteger l3 = registerDerived(contributors(1, lineageAuthor), l2);
    settle(List.of(request(l3))); // its pool and its author's first credit, once
    RewardVault anyone = load(RewardVault.class, d.rewardVault(), CLAIMANT);
    anyone.distribute(l3).send();
    long lineageSettle = settle(List.of(request(l3)));
    long plainSettle = settle(List.of(request(one)));
    f.add("settle.lineage3.gas", lineageSettle, "gas");
    f.add("settle.lineage3_vs_none.ratio", (double) lineageSettle / plainSettle, "ratio");
    TransactionReceipt distributed = anyone.distribute(l3).send();
    f.add("distribute.lineage3.gas", distributed.getGasUsed().longValueExact(), "gas");

    // the requester rates an answer: the settlement proven from the hub's batch record, 1 % of
    // the fee back from the protocol's share
    var gasProvider = ContractDeployer.gas(anvil.chainId());
    Feedback feedback =
        Feedback.deploy(
                anvil.web3j(),
                anvil.transactionManager(d.deployer()),
                gasProvider,
                d.deployer().getAddress(),
                d.inferenceHub().getContractAddress(),
                new Feedback.Terms(BigInteger.valueOf(86_400), BigInteger.valueOf(100)))
            .send();
    d.inferenceHub().setFeedback(feedback.getContractAddress()).send();
    Requested rated = request(demo);
    TransactionReceipt ratedSettlement = settleTx(List.of(rated));
    long settledAt =
        anvil
            .web3j()
            .ethGetBlockByHash(ratedSettlement.getBlockHash(), false)
            .send()
            .getBlock()
            .getTimestamp()
            .longValueExact();
    SettlementRecords.Leaf leaf =
        new SettlementRecords.Leaf(
            rated.id().longValueExact(),
            rated.request(),
            Hashes.keccak256(output),
            List.of(worker.address()));
    TransactionReceipt rating =
        load(Feedback.class, feedback, dapp)
            .rate(
                SettlementRecords.feedbackBatch(
                    rated.id().longValueExact(),
                    ratedSettlement.getBlockNumber().longValueExact(),
                    settledAt,
                    List.of(leaf)),
                BigInteger.ZERO,
                leaf.toFeedback(),
                BigInteger.valueOf(5),
                Hashes.keccak256("a fine answer".getBytes()))
            .send();
    f.add("rate.gas", rating.getGasUsed().longValueExact(), "gas");

    // the demo model's first contributor claims: distributes the model's pool to its 3
    // contributors (whose balances already exist) and pays the claimant
    load(RewardVault.class, d.rewardVault(), CLAIMANT).claim(List.of(demo)).send();
    settle(List.of(request(demo)));
    TransactionReceipt claim =
        load(RewardVault.class, d.rewardVault(), CLAIMANT).claim(List.of(demo)).send();
    f.add("claim.gas", claim.getGasUsed().longValueExact(), "gas");

    // requests carry a gas allowance and settlements pay it back (GasCharges): the targets allow
    // for the two words more per request and the credits of the submitter and the requester
    f.target("request.gas", requestGas, 65_000);
    f.target("settle.single.gas", single, 85_000);
    f.target("settle.batch32.per_receipt.gas", batchGas / 32, 27_000);
    f.targetRatio("settle.contributors20_vs_1.ratio", (double) c20 / c1, 1.02);
    f.targetRatio("settle.lineage3_vs_none.ratio", (double) lineageSettle / plainSettle, 1.01);
    return f;
  }

  private record Requested(BigInteger id, InferenceHub.Request request, TransactionReceipt tx) {}

  /** A settlement: its gas, and what it credited its sender against what it cost it. */
  private record Settled(long gasUsed, double creditedVsSpent) {}

  private Requested request(BigInteger model) throws Exception {
    return request(model, dapp);
  }

  /** A request of {@code model} by {@code who}, paying the fee and the quoted allowance. */
  private Requested request(BigInteger model, Credentials who) throws Exception {
    BigInteger allowance =
        hub(who).quote(model, BigInteger.ZERO, MAX_FEE_PER_GAS).send().component2();
    TransactionReceipt tx =
        hub(who)
            .requestInference(
                model,
                input64,
                deadline(),
                NO_CALLBACK,
                BigInteger.ZERO,
                allowance,
                MAX_FEE_PER_GAS,
                FEE.add(allowance))
            .send();
    var e = InferenceHub.getInferenceRequestedEvents(tx).get(0);
    return new Requested(e.requestId, HubReceipts.request(e), tx);
  }

  private Settled settleMeasured(List<Requested> requests) throws Exception {
    TransactionReceipt tx = settleTx(requests);
    return new Settled(tx.getGasUsed().longValueExact(), creditedVsSpent(tx));
  }

  /** What the hub paid the sender back (GasReimbursed) over what the transaction cost it. */
  private static double creditedVsSpent(TransactionReceipt tx) {
    BigInteger spent = tx.getGasUsed().multiply(Numeric.decodeQuantity(tx.getEffectiveGasPrice()));
    BigInteger credited = InferenceHub.getGasReimbursedEvents(tx).get(0).credited;
    return new BigDecimal(credited)
        .divide(new BigDecimal(spent), 4, RoundingMode.HALF_EVEN)
        .doubleValue();
  }

  /** Least squares through (x, y): {intercept, slope}. */
  static double[] leastSquares(int[] x, double[] y) {
    double mx = 0;
    double my = 0;
    for (int i = 0; i < x.length; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= x.length;
    my /= x.length;
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
    }
    double slope = sxy / sxx;
    return new double[] {my - slope * mx, slope};
  }

  private long settle(List<Requested> requests) throws Exception {
    return settleTx(requests).getGasUsed().longValueExact();
  }

  private TransactionReceipt settleTx(List<Requested> requests) throws Exception {
    long at = anvil.latestTimestamp();
    List<InferenceHub.Receipt> receipts = new ArrayList<>();
    for (Requested r : requests) {
      InferenceReceipt receipt =
          new InferenceReceipt(r.id, MODEL_HASH, r.request.inputHash, Hashes.keccak256(output), at);
      receipts.add(
          HubReceipts.receipt(
              r.id,
              r.request,
              output,
              List.of(new HubReceipts.Signed(worker.address(), at, worker.sign(receipt, domain)))));
    }
    TransactionReceipt tx = hub(relayer).submitReceipts(receipts).send();
    if (InferenceHub.getInferenceSettledEvents(tx).size() != requests.size()) {
      throw new IllegalStateException("not every receipt settled: " + tx.getTransactionHash());
    }
    return tx;
  }

  private BigInteger registerModel(List<ModelRegistry.Contributor> contributors) throws Exception {
    ModelRegistry registry = load(ModelRegistry.class, d.modelRegistry(), AnvilNode.devAccount(1));
    registry.registerModel(MODEL_HASH, "file:bench.onnx", FEE, BigInteger.ONE, contributors).send();
    return registry.modelCount().send();
  }

  /** A model derived from {@code parent} (fine-tuned), which takes 20 % of its pool. */
  private BigInteger registerDerived(
      List<ModelRegistry.Contributor> contributors, BigInteger parent) throws Exception {
    ModelRegistry registry = load(ModelRegistry.class, d.modelRegistry(), AnvilNode.devAccount(1));
    registry
        .registerDerivedModel(
            MODEL_HASH,
            "file:bench.onnx",
            FEE,
            BigInteger.ONE,
            contributors,
            List.of(new ModelRegistry.Parent(parent, BigInteger.ONE, BigInteger.valueOf(2_000))))
        .send();
    return registry.modelCount().send();
  }

  /** {@code n} contributors sharing 10 000 bps, {@code first} first. */
  private static List<ModelRegistry.Contributor> contributors(int n, String first) {
    List<ModelRegistry.Contributor> list = new ArrayList<>();
    int each = FeeSplit.BPS / n;
    for (int i = 0; i < n; i++) {
      String account = i == 0 ? first : String.format("0x%040x", 0xC0DE00 + n * 100 + i);
      int share = i == 0 ? FeeSplit.BPS - each * (n - 1) : each;
      list.add(
          new ModelRegistry.Contributor(
              account,
              BigInteger.valueOf(i == 0 ? 1 : 3),
              BigInteger.valueOf(share),
              new byte[32]));
    }
    return list;
  }

  private BigInteger deadline() throws java.io.IOException {
    return BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(3_600));
  }

  private InferenceHub hub(Credentials who) {
    return load(InferenceHub.class, d.inferenceHub(), who);
  }

  private <C extends Contract> C load(Class<C> type, C contract, Credentials who) {
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

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
