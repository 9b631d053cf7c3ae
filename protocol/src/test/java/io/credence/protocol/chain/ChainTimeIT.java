package io.credence.protocol.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.testkit.junit.WithAnvil;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.tx.exceptions.ContractCallException;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;

/**
 * Against anvil: the next block's time when the latest block is stale, and reverts decoded before
 * anything is sent.
 */
@WithAnvil
class ChainTimeIT {
  @Test
  void theNextBlocksTimeFollowsTheNodesClockWhileTheLatestBlockIsStale(AnvilNode anvil)
      throws Exception {
    anvil.mine(1);
    long latest = anvil.latestTimestamp();
    // an hour without a block
    anvil.rpc("evm_increaseTime", 3600);
    long next = new ChainTime(anvil.web3j()).nextBlockTimestamp();
    assertThat(next).isGreaterThanOrEqualTo(latest + 3600);
    anvil.mine(1);
    assertThat(anvil.latestTimestamp()).as("the block mined next").isGreaterThanOrEqualTo(next);
    // a node told the next block's exact time
    long at = anvil.latestTimestamp() + 86_400;
    anvil.rpc("evm_setNextBlockTimestamp", at);
    assertThat(new ChainTime(anvil.web3j()).nextBlockTimestamp()).isEqualTo(at);
    anvil.mine(1);
    assertThat(anvil.latestTimestamp()).isEqualTo(at);
  }

  @Test
  void aTransactionThatWouldRevertIsNotSentAndItsErrorIsNamed(AnvilNode anvil) throws Exception {
    ContractDeployer.Deployment d = ContractDeployer.deploy(anvil);
    var key = AnvilNode.devAccount(5);
    var tm =
        new CheckedTransactionManager(
            anvil.web3j(),
            key,
            anvil.chainId(),
            new PollingTransactionReceiptProcessor(anvil.web3j(), 50, 1200));
    InferenceHub hub =
        InferenceHub.load(
            d.inferenceHub().getContractAddress(),
            anvil.web3j(),
            tm,
            ContractDeployer.gas(anvil.chainId()));
    BigInteger nonce =
        anvil
            .web3j()
            .ethGetTransactionCount(
                key.getAddress(), org.web3j.protocol.core.DefaultBlockParameterName.PENDING)
            .send()
            .getTransactionCount();
    assertThatThrownBy(() ->
            hub.requestInference(
                    BigInteger.valueOf(42),
                    new byte[] {1},
                    BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(600)),
                    "0x0000000000000000000000000000000000000000",
                    BigInteger.ZERO,
                    BigInteger.ZERO,
                    BigInteger.ZERO,
                    BigInteger.ONE)
                .send())
        .isInstanceOf(TransactionException.class)
        .hasMessageContaining("would revert, so it was not sent")
        .hasMessageContaining("UnknownModel(modelId=42)");
    assertThat(
            anvil
                .web3j()
                .ethGetTransactionCount(
                    key.getAddress(), org.web3j.protocol.core.DefaultBlockParameterName.PENDING)
                .send()
                .getTransactionCount())
        .as("nothing sent")
        .isEqualTo(nonce);
    // a read that reverts
    ModelRegistry registry =
        ModelRegistry.load(
            d.modelRegistry().getContractAddress(),
            anvil.web3j(),
            CheckedTransactionManager.readonly(anvil.web3j(), null),
            new DefaultGasProvider());
    assertThatThrownBy(() -> registry.model(BigInteger.valueOf(42)).send())
        .isInstanceOf(ContractCallException.class)
        .hasMessageContaining("(modelId=42)");
  }
}
