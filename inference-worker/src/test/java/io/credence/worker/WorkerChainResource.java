package io.credence.worker;

import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.models.BenchMlp;
import io.credence.protocol.Hashes;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.WorkerKeyProof;
import io.credence.testkit.TestInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.crypto.Credentials;
import org.web3j.tx.gas.ContractGasProvider;

/**
 * A chain the worker can serve: the contracts deployed on the run's anvil, a benchmark MLP
 * registered as model 1 (file in {@code target/worker-it/models}), and the worker's key registered
 * and staked. Gives the worker its configuration.
 */
public class WorkerChainResource implements QuarkusTestResourceLifecycleManager {
  public static final Credentials WORKER_KEY =
      Credentials.create("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
  public static final int[] MODEL_SIZES = {4, 16, 3};

  @Override
  public Map<String, String> start() {
    try {
      AnvilNode anvil = TestInfra.anvil();
      ContractDeployer.Deployment d = ContractDeployer.deploy(anvil);
      ContractGasProvider gas = ContractDeployer.gas(anvil.chainId());
      Path root = Path.of("target", "worker-it").toAbsolutePath();
      Path models = Files.createDirectories(root.resolve("models"));
      byte[] model = BenchMlp.build(MODEL_SIZES, 42);
      Files.write(models.resolve("mlp.onnx"), model);

      Credentials author = AnvilNode.devAccount(1);
      ModelRegistry registry =
          ModelRegistry.load(
              d.modelRegistry().getContractAddress(),
              anvil.web3j(),
              anvil.transactionManager(author),
              gas);
      registry
          .registerModel(
              Hashes.sha256(model),
              "file:mlp.onnx",
              BigInteger.valueOf(1_000_000_000_000_000L),
              BigInteger.ONE,
              List.of(
                  new ModelRegistry.Contributor(
                      author.getAddress(),
                      BigInteger.ONE,
                      BigInteger.valueOf(10_000),
                      new byte[32])))
          .send();

      Credentials operator = AnvilNode.devAccount(3);
      ReceiptSigner key = new ReceiptSigner(WORKER_KEY);
      byte[] proof =
          WorkerKeyProof.sign(
              key,
              Eip712Domain.workerRegistry(anvil.chainId(), d.workerRegistry().getContractAddress()),
              operator.getAddress());
      WorkerRegistry.load(
              d.workerRegistry().getContractAddress(),
              anvil.web3j(),
              anvil.transactionManager(operator),
              gas)
          .register(key.address(), proof, BigInteger.TEN.pow(18))
          .send();

      Map<String, String> config = new HashMap<>();
      config.put("credence.chain.rpc-url", anvil.rpcUrl());
      config.put("credence.chain.id", Long.toString(anvil.chainId()));
      config.put("credence.worker.hub", d.inferenceHub().getContractAddress());
      config.put("credence.worker.worker-registry", d.workerRegistry().getContractAddress());
      config.put("credence.worker.key.hex", WORKER_KEY.getEcKeyPair().getPrivateKey().toString(16));
      config.put("credence.worker.models.file-root", models.toString());
      config.put("credence.worker.models.cache-dir", root.resolve("cache").toString());
      config.put(
          "credence.worker.results-dir", root.resolve("results-" + System.nanoTime()).toString());
      config.put("kafka.bootstrap.servers", TestInfra.kafka().bootstrapServers());
      return config;
    } catch (Exception e) {
      throw new IllegalStateException("could not prepare the worker's chain: " + e.getMessage(), e);
    }
  }

  @Override
  public void stop() {}
}
