package io.credence.testkit;

import io.credence.contracts.ModelRegistry;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.gas.StaticEIP1559GasProvider;

/** Deploys the Credence contracts through their generated bindings, as tests and the devnet need. */
public final class ContractDeployer {
  private ContractDeployer() {}

  /**
   * What was deployed, and the transaction manager and gas settings that deployed it.
   *
   * @param chainId the chain deployed to
   * @param deployer the deploying account
   * @param modelRegistry the ModelRegistry
   */
  public record Deployment(long chainId, Credentials deployer, ModelRegistry modelRegistry) {
    /** Contract name to address, in deployment order. */
    public Map<String, String> addresses() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("ModelRegistry", modelRegistry.getContractAddress());
      return m;
    }
  }

  /** Deploys with anvil's first dev account. */
  public static Deployment deploy(AnvilNode anvil) {
    Credentials deployer = AnvilNode.devAccount(0);
    return deploy(anvil.web3j(), deployer, anvil.chainId(), anvil.transactionManager(deployer));
  }

  public static Deployment deploy(Web3j web3j, Credentials deployer, long chainId, TransactionManager tm) {
    try {
      ModelRegistry registry = ModelRegistry.deploy(web3j, tm, gas(chainId)).send();
      return new Deployment(chainId, deployer, registry);
    } catch (Exception e) {
      throw new IllegalStateException("deploying the Credence contracts to chain " + chainId + " failed: " + e.getMessage(), e);
    }
  }

  /** EIP-1559 fees generous enough for a local node: 100 gwei cap, 1 gwei tip, 15M gas. */
  public static ContractGasProvider gas(long chainId) {
    return new StaticEIP1559GasProvider(
        chainId, BigInteger.valueOf(100_000_000_000L), BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(15_000_000L));
  }
}
