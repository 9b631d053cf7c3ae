package io.credence.protocol.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.exceptions.ContractCallException;
import org.web3j.tx.response.TransactionReceiptProcessor;

/**
 * A {@link RawTransactionManager} that runs each transaction as an {@code eth_call} against the
 * pending block before signing it: one that would revert is not sent (and costs no gas), and the
 * exception names the contract's custom error with its arguments ({@link ContractErrors}). Reads
 * through it, and through {@link #readonly}, fail with the decoded error too. web3j's own messages
 * carry the node's error text only, which on geth and Besu is "execution reverted" without the
 * data.
 */
public final class CheckedTransactionManager extends RawTransactionManager {
  private final Web3j web3j;

  public CheckedTransactionManager(
      Web3j web3j, Credentials credentials, long chainId, TransactionReceiptProcessor receipts) {
    super(web3j, credentials, chainId, receipts);
    this.web3j = web3j;
  }

  /** A manager for reads only, as {@code from} (may be null), whose reverts are decoded. */
  public static ReadonlyTransactionManager readonly(Web3j web3j, String from) {
    return new ReadonlyTransactionManager(web3j, from) {
      @Override
      public String sendCall(String to, String data, DefaultBlockParameter block)
          throws IOException {
        return call(web3j, from, to, data, BigInteger.ZERO, block);
      }
    };
  }

  @Override
  protected TransactionReceipt executeTransaction(
      BigInteger gasPrice,
      BigInteger gasLimit,
      String to,
      String data,
      BigInteger value,
      boolean constructor)
      throws IOException, TransactionException {
    check(to, data, value);
    return super.executeTransaction(gasPrice, gasLimit, to, data, value, constructor);
  }

  @Override
  protected TransactionReceipt executeTransactionEIP1559(
      long chainId,
      BigInteger maxPriorityFeePerGas,
      BigInteger maxFeePerGas,
      BigInteger gasLimit,
      String to,
      String data,
      BigInteger value,
      boolean constructor)
      throws IOException, TransactionException {
    check(to, data, value);
    return super.executeTransactionEIP1559(
        chainId, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, data, value, constructor);
  }

  @Override
  public String sendCall(String to, String data, DefaultBlockParameter block) throws IOException {
    return call(web3j, getFromAddress(), to, data, BigInteger.ZERO, block);
  }

  /** Fails, naming the error, when the transaction would revert in the next block. */
  private void check(String to, String data, BigInteger value)
      throws IOException, TransactionException {
    if (to == null || to.isEmpty()) {
      return; // a deployment: nothing to call yet
    }
    EthCall result =
        web3j
            .ethCall(
                Transaction.createFunctionCallTransaction(
                    getFromAddress(), null, null, null, to, value, data),
                DefaultBlockParameterName.PENDING)
            .send();
    Optional<String> revert = revert(result);
    if (revert.isPresent()) {
      throw new TransactionException(
          "the transaction to " + to + " would revert, so it was not sent: " + revert.get());
    }
  }

  /**
   * An eth_call whose revert fails with the decoded error (web3j's {@link ContractCallException}).
   */
  static String call(
      Web3j web3j,
      String from,
      String to,
      String data,
      BigInteger value,
      DefaultBlockParameter block)
      throws IOException {
    EthCall result =
        web3j
            .ethCall(
                Transaction.createFunctionCallTransaction(from, null, null, null, to, value, data),
                block)
            .send();
    Optional<String> revert = revert(result);
    if (revert.isPresent()) {
      throw new ContractCallException("the call to " + to + " reverted: " + revert.get());
    }
    if (result.hasError()) {
      throw new IOException("eth_call to " + to + ": " + result.getError().getMessage());
    }
    return result.getValue();
  }

  /**
   * The decoded revert of a call, if it reverted: the node's error with its data, or (older nodes)
   * a result that is itself {@code Error(string)} data.
   */
  private static Optional<String> revert(EthCall result) {
    if (result.hasError()) {
      boolean reverted =
          ContractErrors.revertData(result.getError()).isPresent()
              || String.valueOf(result.getError().getMessage()).contains("revert");
      return reverted ? Optional.of(ContractErrors.describe(result.getError())) : Optional.empty();
    }
    if (result.isReverted()) {
      return Optional.of(ContractErrors.decode(result.getValue()).orElse(result.getRevertReason()));
    }
    return Optional.empty();
  }
}
