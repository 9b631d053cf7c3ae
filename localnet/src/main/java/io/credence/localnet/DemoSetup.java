package io.credence.localnet;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.Hashes;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.WorkerKeyProof;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.ContractGasProvider;

/** Registers the demo's datasets, model and workers on a Credence deployment. */
public final class DemoSetup {
  /** The demo model's author (anvil dev account 1). */
  public static final Credentials AUTHOR = AnvilNode.devAccount(1);

  /** The demo's two data providers (anvil dev accounts 2 and 5). */
  public static final List<Credentials> DATA_PROVIDERS =
      List.of(AnvilNode.devAccount(2), AnvilNode.devAccount(5));

  /** The demo model's fee: 0.001 ETH. */
  public static final BigInteger FEE = BigInteger.valueOf(1_000_000_000_000_000L);

  /** The local worker's signing key: derived from a fixed phrase, for this devnet only. */
  public static final Credentials WORKER_KEY =
      Credentials.create(
          Hashes.hex(
              Hashes.keccak256("credence local devnet worker".getBytes(StandardCharsets.UTF_8))));

  /**
   * Two more local worker keys, derived from fixed phrases: they answer jobs too, and sit on the
   * juries that audit the demo's answers (a jury excludes the answer's signer).
   */
  public static final List<Credentials> JUROR_KEYS =
      List.of(
          Credentials.create(
              Hashes.hex(
                  Hashes.keccak256(
                      "credence local devnet juror 1".getBytes(StandardCharsets.UTF_8)))),
          Credentials.create(
              Hashes.hex(
                  Hashes.keccak256(
                      "credence local devnet juror 2".getBytes(StandardCharsets.UTF_8)))));

  /** The local worker's operator (anvil dev account 3). */
  public static final Credentials WORKER_OPERATOR = AnvilNode.devAccount(3);

  /** The local relayer's key (anvil dev account 6). */
  public static final Credentials RELAYER = AnvilNode.devAccount(6);

  private DemoSetup() {}

  /** The directory of the demo model and its datasets ({@code scripts/models} makes them). */
  public static Path files(Path repoRoot) {
    return repoRoot.resolve("models/demo");
  }

  /**
   * Registers the demo classifier ({@code models/demo}) with its two dataset files: author {@link
   * #AUTHOR} 60 %, each data provider 20 %; quorum 1; URIs {@code file:<name>} relative to the
   * workers' model root.
   *
   * @return the model id
   */
  public static long registerModel(AnvilNode anvil, String modelRegistry, Path demo)
      throws Exception {
    byte[] model = Files.readAllBytes(demo.resolve("iris-classifier.onnx"));
    ContractGasProvider gas = ContractDeployer.gas(anvil.chainId());
    List<ModelRegistry.Contributor> contributors = new ArrayList<>();
    contributors.add(
        new ModelRegistry.Contributor(
            AUTHOR.getAddress(), BigInteger.ONE, BigInteger.valueOf(6_000), new byte[32]));
    String[] parts = {"iris-part-a.csv", "iris-part-b.csv"};
    for (int i = 0; i < parts.length; i++) {
      byte[] hash = Hashes.sha256(Files.readAllBytes(demo.resolve(parts[i])));
      Credentials provider = DATA_PROVIDERS.get(i);
      ModelRegistry.load(modelRegistry, anvil.web3j(), anvil.transactionManager(provider), gas)
          .registerDataset(hash, "file:" + parts[i])
          .send();
      contributors.add(
          new ModelRegistry.Contributor(
              provider.getAddress(), BigInteger.TWO, BigInteger.valueOf(2_000), hash));
    }
    TransactionReceipt tx =
        ModelRegistry.load(modelRegistry, anvil.web3j(), anvil.transactionManager(AUTHOR), gas)
            .registerModel(
                Hashes.sha256(model),
                "file:iris-classifier.onnx",
                FEE,
                BigInteger.ONE,
                contributors)
            .send();
    return ModelRegistry.getModelRegisteredEvents(tx).get(0).modelId.longValueExact();
  }

  /**
   * The demo model's accountability terms, set by its author in the DisputeCourt: every answer
   * audited (a demo shows what an audit is), juries of 2, a one-day challenge window, floats
   * compared within 8 ulps or 1e-6.
   */
  public static void setAuditTerms(AnvilNode anvil, String court, long modelId) throws Exception {
    DisputeCourt.load(
            court,
            anvil.web3j(),
            anvil.transactionManager(AUTHOR),
            ContractDeployer.gas(anvil.chainId()))
        .setModelTerms(
            BigInteger.valueOf(modelId),
            new DisputeCourt.Terms(
                BigInteger.valueOf(86_400),
                BigInteger.valueOf(10_000),
                BigInteger.TWO,
                BigInteger.valueOf(3),
                BigInteger.valueOf(8),
                BigInteger.valueOf(1_000)))
        .send();
  }

  /**
   * Registers {@code key} as a worker signing key of {@code operator}, staking {@code stake} wei.
   */
  public static void registerWorker(
      AnvilNode anvil,
      String workerRegistry,
      Credentials key,
      Credentials operator,
      BigInteger stake)
      throws Exception {
    Eip712Domain domain = Eip712Domain.workerRegistry(anvil.chainId(), workerRegistry);
    WorkerRegistry.load(
            workerRegistry,
            anvil.web3j(),
            anvil.transactionManager(operator),
            ContractDeployer.gas(anvil.chainId()))
        .register(
            key.getAddress(),
            WorkerKeyProof.sign(new ReceiptSigner(key), domain, operator.getAddress()),
            stake)
        .send();
  }
}
