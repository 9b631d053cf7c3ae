package io.credence.localnet;

import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.deploy.DeploymentManifest;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;

/**
 * A Credence deployment on a node, made once: the contracts (recorded in {@code
 * deployments/<chainId>.json} and reused while the chain has them), the demo model with its
 * datasets and a staked worker (unless already registered). {@code scripts/credence up} deploys on
 * the devnet's anvil; {@link #composeDeployStep} is the deploy step of the container images, which
 * runs without a checkout.
 */
final class NetworkDeployment {
  private final Path deployments;
  private final Path demoModels;

  /**
   * @param deployments where deployment manifests are written and read
   * @param demoModels the demo model, its card and its datasets
   */
  NetworkDeployment(Path deployments, Path demoModels) {
    this.deployments = deployments;
    this.demoModels = demoModels;
  }

  /** The deployment recorded for this chain when its contracts are there; otherwise a new one. */
  DeploymentManifest deploy(AnvilNode anvil) throws IOException {
    Path file = DeploymentManifest.file(deployments, anvil.chainId());
    if (Files.exists(file)) {
      DeploymentManifest known = DeploymentManifest.read(file);
      String code =
          anvil
              .web3j()
              .ethGetCode(
                  known.address(DeploymentManifest.INFERENCE_HUB), DefaultBlockParameterName.LATEST)
              .send()
              .getCode();
      if (code != null && code.length() > 2) {
        System.out.println("contracts  already deployed (" + file + ")");
        return known;
      }
      System.out.println(
          "contracts  " + file + " names contracts this chain does not have: deploying again");
    }
    ContractDeployer.Deployment d = ContractDeployer.deploy(anvil);
    DeploymentManifest manifest =
        new DeploymentManifest(
            d.chainId(), d.startBlock(), d.deployer().getAddress(), d.addresses());
    Files.createDirectories(file.getParent());
    manifest.write(file);
    System.out.println(
        "contracts  deployed: hub "
            + manifest.address(DeploymentManifest.INFERENCE_HUB)
            + " ("
            + file
            + ")");
    return manifest;
  }

  /** The demo model and datasets, and a staked worker, unless already registered. */
  void register(AnvilNode anvil, DeploymentManifest d) throws Exception {
    String registry = d.address(DeploymentManifest.MODEL_REGISTRY);
    String workers = d.address(DeploymentManifest.WORKER_REGISTRY);
    var gas = ContractDeployer.gas(anvil.chainId());
    ModelRegistry models =
        ModelRegistry.load(
            registry, anvil.web3j(), anvil.transactionManager(DemoSetup.AUTHOR), gas);
    if (models.modelCount().send().signum() == 0) {
      long id = DemoSetup.registerModel(anvil, registry, demoModels);
      DemoSetup.setAuditTerms(anvil, d.address(DeploymentManifest.DISPUTE_COURT), id);
      System.out.println(
          "demo       registered the Iris classifier as model "
              + id
              + " with its two datasets; every answer of it is audited");
    } else {
      System.out.println("demo       model already registered");
    }
    WorkerRegistry registryOfWorkers =
        WorkerRegistry.load(
            workers, anvil.web3j(), anvil.transactionManager(DemoSetup.WORKER_OPERATOR), gas);
    if (!registryOfWorkers.isActive(DemoSetup.WORKER_KEY.getAddress()).send()) {
      DemoSetup.registerWorker(
          anvil, workers, DemoSetup.WORKER_KEY, DemoSetup.WORKER_OPERATOR, BigInteger.TEN.pow(18));
      System.out.println(
          "worker     registered key "
              + DemoSetup.WORKER_KEY.getAddress()
              + " for operator "
              + DemoSetup.WORKER_OPERATOR.getAddress()
              + ", staked 1 ETH");
    } else {
      System.out.println("worker     key " + DemoSetup.WORKER_KEY.getAddress() + " already active");
    }
    for (Credentials juror : DemoSetup.JUROR_KEYS) {
      if (!registryOfWorkers.isActive(juror.getAddress()).send()) {
        DemoSetup.registerWorker(
            anvil, workers, juror, DemoSetup.WORKER_OPERATOR, BigInteger.TEN.pow(18));
        System.out.println("juror      registered key " + juror.getAddress() + ", staked 1 ETH");
      }
    }
  }

  /**
   * {@code deploy} (docker-compose's deploy step): on the node at $CREDENCE_RPC_URL, funds the
   * local accounts from $CREDENCE_FUNDER_KEY_HEX when given (a dev chain's prefunded key), deploys
   * and registers as {@code up} does, and writes the services' configuration to $CREDENCE_ENV_FILE.
   */
  int composeDeployStep() throws Exception {
    String rpc =
        Optional.ofNullable(System.getenv("CREDENCE_RPC_URL"))
            .orElse(
                "http://127.0.0.1:"
                    + Optional.ofNullable(System.getenv("CREDENCE_ANVIL_PORT")).orElse("8545"));
    AnvilNode node = awaitNode(rpc);
    String funderKey = System.getenv("CREDENCE_FUNDER_KEY_HEX");
    if (funderKey != null && !funderKey.isBlank()) {
      Credentials funder = Credentials.create(funderKey.trim());
      for (int i : new int[] {0, 1, 2, 3, 5, 6, 7}) {
        Credentials account = AnvilNode.devAccount(i);
        if (node.balance(account.getAddress()).compareTo(BigInteger.TEN.pow(19)) < 0) {
          org.web3j.tx.Transfer.sendFundsEIP1559(
                  node.web3j(),
                  funder,
                  account.getAddress(),
                  java.math.BigDecimal.valueOf(100),
                  org.web3j.utils.Convert.Unit.ETHER,
                  BigInteger.valueOf(21_000),
                  BigInteger.valueOf(1_000_000_000L),
                  BigInteger.valueOf(100_000_000_000L))
              .send();
          System.out.println("funded     " + account.getAddress() + " with 100 ETH");
        }
      }
    }
    DeploymentManifest d = deploy(node);
    register(node, d);
    String envFile = System.getenv("CREDENCE_ENV_FILE");
    if (envFile != null) {
      String hub = d.address(DeploymentManifest.INFERENCE_HUB);
      String workers = d.address(DeploymentManifest.WORKER_REGISTRY);
      String models = d.address(DeploymentManifest.MODEL_REGISTRY);
      String lines =
          String.join(
                  "\n",
                  "# written by the deploy step: the contracts and the local development keys (anvil's public accounts; never on a real network)",
                  "CREDENCE_CHAIN_ID=" + d.chainId(),
                  "CREDENCE_WORKER_HUB=" + hub,
                  "CREDENCE_WORKER_WORKER_REGISTRY=" + workers,
                  "CREDENCE_WORKER_KEY_HEX="
                      + Numeric.toHexStringNoPrefixZeroPadded(
                          DemoSetup.WORKER_KEY.getEcKeyPair().getPrivateKey(), 64),
                  "CREDENCE_RELAYER_HUB=" + hub,
                  "CREDENCE_RELAYER_WORKER_REGISTRY=" + workers,
                  "CREDENCE_RELAYER_MODEL_REGISTRY=" + models,
                  "CREDENCE_RELAYER_COURT=" + d.address(DeploymentManifest.DISPUTE_COURT),
                  "CREDENCE_RELAYER_CHAIN_START_BLOCK=" + d.startBlock(),
                  "CREDENCE_RELAYER_KEY_HEX="
                      + Numeric.toHexStringNoPrefixZeroPadded(
                          DemoSetup.RELAYER.getEcKeyPair().getPrivateKey(), 64),
                  "CREDENCE_INDEXER_HUB=" + hub,
                  "CREDENCE_INDEXER_WORKER_REGISTRY=" + workers,
                  "CREDENCE_INDEXER_MODEL_REGISTRY=" + models,
                  "CREDENCE_INDEXER_DISPUTE_COURT=" + d.address(DeploymentManifest.DISPUTE_COURT),
                  "CREDENCE_INDEXER_CHAIN_START_BLOCK=" + d.startBlock())
              + "\n";
      Path file = Path.of(envFile);
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, lines);
      System.out.println("wrote      " + file);
    }
    return 0;
  }

  private static AnvilNode awaitNode(String rpc) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      try {
        return AnvilNode.attach(rpc);
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no node answers at " + rpc + ": " + e.getMessage(), e);
        }
        Thread.sleep(1000);
      }
    }
  }
}
