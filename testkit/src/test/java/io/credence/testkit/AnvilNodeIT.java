package io.credence.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.contracts.ModelRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.testkit.junit.WithAnvil;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.Transfer;
import org.web3j.utils.Convert;

@WithAnvil
class AnvilNodeIT {

  @Test
  void devAccountsMatchAnvil(AnvilNode anvil) throws Exception {
    List<String> accounts = anvil.web3j().ethAccounts().send().getAccounts();
    for (int i = 0; i < 3; i++) {
      assertThat(AnvilNode.devAccount(i).getAddress()).isEqualToIgnoringCase(accounts.get(i));
    }
  }

  @Test
  void aTransferIsMinedAndMovesValue(AnvilNode anvil) throws Exception {
    Credentials from = AnvilNode.devAccount(1);
    String to = "0x00000000000000000000000000000000c0ffee01";
    long before = anvil.blockNumber();

    TransactionReceipt receipt =
        new Transfer(anvil.web3j(), anvil.transactionManager(from))
            .sendFunds(to, BigDecimal.valueOf(1.5), Convert.Unit.ETHER)
            .send();

    assertThat(receipt.isStatusOK()).isTrue();
    assertThat(receipt.getBlockNumber().longValue()).isGreaterThan(before);
    assertThat(anvil.balance(to))
        .isEqualTo(Convert.toWei("1.5", Convert.Unit.ETHER).toBigIntegerExact());
  }

  @Test
  void snapshotAndRevertUndoTransactions(AnvilNode anvil) throws Exception {
    String to = "0x00000000000000000000000000000000c0ffee02";
    String snapshot = anvil.snapshot();
    new Transfer(anvil.web3j(), anvil.transactionManager(AnvilNode.devAccount(2)))
        .sendFunds(to, BigDecimal.ONE, Convert.Unit.WEI)
        .send();
    assertThat(anvil.balance(to)).isEqualTo(BigInteger.ONE);

    anvil.revert(snapshot);

    assertThat(anvil.balance(to)).isZero();
  }

  @Test
  void reorgReplacesBlocks(AnvilNode anvil) throws Exception {
    anvil.mine(3);
    long head = anvil.blockNumber();
    String hashBefore =
        anvil
            .web3j()
            .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
            .send()
            .getBlock()
            .getHash();

    anvil.reorg(2);

    assertThat(anvil.blockNumber()).isEqualTo(head);
    String hashAfter =
        anvil
            .web3j()
            .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
            .send()
            .getBlock()
            .getHash();
    assertThat(hashAfter).isNotEqualTo(hashBefore);
  }

  @Test
  void contractsDeployThroughTheBindings(AnvilNode anvil) throws Exception {
    ContractDeployer.Deployment d = ContractDeployer.deploy(anvil);
    ModelRegistry registry = d.modelRegistry();

    assertThat(
            anvil
                .web3j()
                .ethGetCode(registry.getContractAddress(), DefaultBlockParameterName.LATEST)
                .send()
                .getCode())
        .hasSizeGreaterThan(100);
    assertThat(registry.TOTAL_BPS().send()).isEqualTo(BigInteger.valueOf(10_000));
    assertThat(registry.modelCount().send()).isZero();
    assertThat(d.addresses())
        .containsOnlyKeys(
            "ModelRegistry", "RewardVault", "WorkerRegistry", "InferenceHub", "DisputeCourt");
    // wired: both registries know the hub; the vault is the hub; the hub and the worker registry
    // know the court
    assertThat(d.inferenceHub().court().send())
        .isEqualToIgnoringCase(d.disputeCourt().getContractAddress());
    assertThat(d.workerRegistry().court().send())
        .isEqualToIgnoringCase(d.disputeCourt().getContractAddress());
    assertThat(d.modelRegistry().hub().send())
        .isEqualToIgnoringCase(d.inferenceHub().getContractAddress());
    assertThat(d.workerRegistry().hub().send())
        .isEqualToIgnoringCase(d.inferenceHub().getContractAddress());
    assertThat(d.rewardVault().getContractAddress())
        .isEqualTo(d.inferenceHub().getContractAddress());
    assertThat(d.startBlock()).isPositive();
  }

  @Test
  void unknownRpcMethodsFailWithTheNodesMessage(AnvilNode anvil) {
    assertThatThrownBy(() -> anvil.rpc("credence_noSuchMethod"))
        .hasMessageContaining("credence_noSuchMethod");
  }
}
