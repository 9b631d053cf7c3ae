package io.credence.devnet;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.RewardVault;
import io.credence.contracts.WorkerRegistry;
import io.credence.devnet.node.AnvilNode;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.gas.StaticEIP1559GasProvider;

/**
 * Deploys the Credence contracts through their generated bindings and wires them as in production:
 * the model registry pushes model terms to the hub, the worker registry lets the hub slash. The
 * RewardVault is a module of the hub, so its address is the hub's.
 */
public final class ContractDeployer {
  private ContractDeployer() {}

  /**
   * Protocol parameters fixed at deployment (the owner can change them later).
   *
   * @param protocolBps protocol share of every fee
   * @param workerBps workers' share of every fee, split evenly among the quorum
   * @param maxInputBytes largest request input
   * @param maxCallbackGas most gas a request may ask for its callback
   * @param minStake stake a worker key needs to be active, in wei
   * @param unbondingDelaySeconds how long unbonding stake waits before withdrawal
   * @param slashRewardBps share of a slashed stake paid to the reporter
   * @param treasury receives the protocol share; null for the deployer
   * @param court the DisputeCourt's economics and the default accountability terms of models
   */
  public record Params(
      int protocolBps,
      int workerBps,
      long maxInputBytes,
      long maxCallbackGas,
      BigInteger minStake,
      long unbondingDelaySeconds,
      int slashRewardBps,
      String treasury,
      Court court) {
    /**
     * 5% protocol, 20% workers, 64 KiB inputs, 2M callback gas, 0.1 ETH stake, 7 days, 10% reward,
     * and the court's defaults.
     */
    public static Params defaults() {
      return new Params(
          500,
          2_000,
          65_536,
          2_000_000,
          BigInteger.TEN.pow(17),
          7 * 24 * 3600,
          1_000,
          null,
          Court.defaults());
    }

    public Params withTreasury(String treasury) {
      return new Params(
          protocolBps,
          workerBps,
          maxInputBytes,
          maxCallbackGas,
          minStake,
          unbondingDelaySeconds,
          slashRewardBps,
          treasury,
          court);
    }

    public Params withCourt(Court court) {
      return new Params(
          protocolBps,
          workerBps,
          maxInputBytes,
          maxCallbackGas,
          minStake,
          unbondingDelaySeconds,
          slashRewardBps,
          treasury,
          court);
    }
  }

  /**
   * The DisputeCourt's parameters and the terms of every model that sets none of its own.
   *
   * @param verdictWindowSeconds how long a drawn jury has to answer
   * @param minBond the least bond of a challenge, in wei
   * @param bondFeeMultiple a challenge's bond is at least this many times the request's fee
   * @param challengerRewardBps share of a slash (after the refund) for whoever caught the fault
   * @param jurorRewardBps share of a slash (after the refund) or of a bond for the jury's majority
   * @param challengeJurySize the least jury of a challenge
   * @param challengeWindowSeconds how long a settled answer can be challenged
   * @param auditRateBps the chance each settled answer is audited
   * @param jurySize an audit's jury
   * @param toleranceMode 1 exact, 2 arg-max, 3 close (within {@code toleranceAbsE9} * 1e-9 or
   *     {@code toleranceUlps} units in the last place)
   */
  public record Court(
      long verdictWindowSeconds,
      BigInteger minBond,
      int bondFeeMultiple,
      int challengerRewardBps,
      int jurorRewardBps,
      int challengeJurySize,
      long challengeWindowSeconds,
      int auditRateBps,
      int jurySize,
      int toleranceMode,
      long toleranceUlps,
      long toleranceAbsE9) {
    /**
     * A one-hour verdict window, bonds of at least 0.01 ETH or ten fees, 20% of a slash to the
     * catcher and 20% to the jury, juries of 3 (5 for challenges), a one-day challenge window, 1%
     * of answers audited, floats compared within 1e-6 or 8 ulps.
     */
    public static Court defaults() {
      return new Court(
          3_600, BigInteger.TEN.pow(16), 10, 2_000, 2_000, 5, 24 * 3_600, 100, 3, 3, 8, 1_000);
    }

    public Court withAuditRateBps(int bps) {
      return new Court(
          verdictWindowSeconds,
          minBond,
          bondFeeMultiple,
          challengerRewardBps,
          jurorRewardBps,
          challengeJurySize,
          challengeWindowSeconds,
          bps,
          jurySize,
          toleranceMode,
          toleranceUlps,
          toleranceAbsE9);
    }

    DisputeCourt.Params params() {
      return new DisputeCourt.Params(
          BigInteger.valueOf(verdictWindowSeconds),
          minBond,
          BigInteger.valueOf(bondFeeMultiple),
          BigInteger.valueOf(challengerRewardBps),
          BigInteger.valueOf(jurorRewardBps),
          BigInteger.valueOf(challengeJurySize));
    }

    DisputeCourt.Terms terms() {
      return new DisputeCourt.Terms(
          BigInteger.valueOf(challengeWindowSeconds),
          BigInteger.valueOf(auditRateBps),
          BigInteger.valueOf(jurySize),
          BigInteger.valueOf(toleranceMode),
          BigInteger.valueOf(toleranceUlps),
          BigInteger.valueOf(toleranceAbsE9));
    }
  }

  /**
   * What was deployed.
   *
   * @param chainId the chain deployed to
   * @param startBlock block of the first deployment transaction
   * @param deployer the deploying account, owner of every contract
   */
  public record Deployment(
      long chainId,
      long startBlock,
      Credentials deployer,
      ModelRegistry modelRegistry,
      RewardVault rewardVault,
      WorkerRegistry workerRegistry,
      InferenceHub inferenceHub,
      DisputeCourt disputeCourt) {
    /**
     * Contract name to address (the deployment manifest's "contracts"); RewardVault is the hub's
     * address, since the vault is a module of the hub.
     */
    public Map<String, String> addresses() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("ModelRegistry", modelRegistry.getContractAddress());
      m.put("WorkerRegistry", workerRegistry.getContractAddress());
      m.put("InferenceHub", inferenceHub.getContractAddress());
      m.put("RewardVault", rewardVault.getContractAddress());
      m.put("DisputeCourt", disputeCourt.getContractAddress());
      return m;
    }
  }

  /** Deploys with anvil's first dev account and default parameters. */
  public static Deployment deploy(AnvilNode anvil) {
    return deploy(anvil, Params.defaults());
  }

  public static Deployment deploy(AnvilNode anvil, Params params) {
    Credentials deployer = AnvilNode.devAccount(0);
    return deploy(
        anvil.web3j(), deployer, anvil.chainId(), anvil.transactionManager(deployer), params);
  }

  public static Deployment deploy(
      Web3j web3j, Credentials deployer, long chainId, TransactionManager tm, Params p) {
    ContractGasProvider gas = gas(chainId);
    String owner = deployer.getAddress();
    String treasury = p.treasury() == null ? owner : p.treasury();
    try {
      ModelRegistry registry = ModelRegistry.deploy(web3j, tm, gas, owner).send();
      long startBlock =
          registry
              .getTransactionReceipt()
              .map(TransactionReceipt::getBlockNumber)
              .orElseThrow()
              .longValueExact();
      WorkerRegistry workers =
          WorkerRegistry.deploy(
                  web3j,
                  tm,
                  gas,
                  owner,
                  p.minStake(),
                  BigInteger.valueOf(p.unbondingDelaySeconds()),
                  BigInteger.valueOf(p.slashRewardBps()))
              .send();
      InferenceHub hub =
          InferenceHub.deploy(
                  web3j,
                  tm,
                  gas,
                  owner,
                  registry.getContractAddress(),
                  workers.getContractAddress(),
                  treasury,
                  BigInteger.valueOf(p.protocolBps()),
                  BigInteger.valueOf(p.workerBps()),
                  BigInteger.valueOf(p.maxInputBytes()),
                  BigInteger.valueOf(p.maxCallbackGas()))
              .send();
      DisputeCourt court =
          DisputeCourt.deploy(
                  web3j,
                  tm,
                  gas,
                  owner,
                  hub.getContractAddress(),
                  workers.getContractAddress(),
                  registry.getContractAddress(),
                  p.court().params(),
                  p.court().terms())
              .send();
      registry.setHub(hub.getContractAddress()).send();
      workers.setHub(hub.getContractAddress()).send();
      hub.setCourt(court.getContractAddress()).send();
      workers.setCourt(court.getContractAddress()).send();
      RewardVault vault = RewardVault.load(hub.getContractAddress(), web3j, tm, gas);
      return new Deployment(chainId, startBlock, deployer, registry, vault, workers, hub, court);
    } catch (Exception e) {
      throw new IllegalStateException(
          "deploying the Credence contracts to chain " + chainId + " failed: " + e.getMessage(), e);
    }
  }

  /** EIP-1559 fees generous enough for a local node: 100 gwei cap, 1 gwei tip, 15M gas. */
  public static ContractGasProvider gas(long chainId) {
    return new StaticEIP1559GasProvider(
        chainId,
        BigInteger.valueOf(100_000_000_000L),
        BigInteger.valueOf(1_000_000_000L),
        BigInteger.valueOf(15_000_000L));
  }
}
