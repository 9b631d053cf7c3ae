package io.credence.localnet;

import io.credence.contracts.InferenceHub;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.client.RelayerClient;
import io.credence.protocol.model.ModelCard;
import io.credence.protocol.model.TensorLabels;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceRequest;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * The demo's user with no ETH: the dApp's account deposits for it in the vault, it signs an {@code
 * InferenceRequest} and posts it to the relayer over HTTP, and gets a receipted answer; the relayer
 * pays the gas and is paid back from the request's allowance.
 */
final class DemoSigned {
  /** The demo user's key: derived from a phrase, it never holds ETH. */
  static final Credentials USER =
      Credentials.create(Hashes.hex(Hashes.keccak256("credence demo user".getBytes())));

  private final AnvilNode anvil;
  private final String hub;
  private final String relayer;
  private final ModelCard card;

  DemoSigned(AnvilNode anvil, String hub, String relayer, ModelCard card) {
    this.anvil = anvil;
    this.hub = hub;
    this.relayer = relayer;
    this.card = card;
  }

  void run() throws Exception {
    InferenceHub asDapp =
        InferenceHub.load(
            hub,
            anvil.web3j(),
            anvil.transactionManager(DemoRun.DAPP),
            ContractDeployer.gas(anvil.chainId()));
    byte[] input =
        TensorCodec.encode(
            List.of(Tensor.ofFloat32("features", new long[] {1, 4}, 4.5f, 1.5f, 6.0f, 2.9f)));
    var quote =
        asDapp
            .quoteSigned(
                BigInteger.ONE,
                BigInteger.valueOf(input.length),
                BigInteger.ZERO,
                DemoRun.MAX_FEE_PER_GAS)
            .send();
    BigInteger needed = quote.component1().add(quote.component2());
    BigInteger balance = asDapp.balanceOf(USER.getAddress()).send();
    if (balance.compareTo(needed) < 0) {
      asDapp.depositFor(USER.getAddress(), needed.subtract(balance)).send();
    }
    InferenceRequest request =
        new InferenceRequest(
            USER.getAddress(),
            BigInteger.ONE,
            Hashes.keccak256(input),
            quote.component1(),
            quote.component2(),
            DemoRun.MAX_FEE_PER_GAS,
            new ChainTime(anvil.web3j()).deadlineIn(600),
            InferenceRequest.NO_CALLBACK,
            0,
            asDapp.nonces(USER.getAddress(), BigInteger.ZERO).send());
    byte[] signature =
        new ReceiptSigner(USER).sign(request, Eip712Domain.credence(anvil.chainId(), hub));
    long id;
    try (RelayerClient client = new RelayerClient(relayer)) {
      id = client.submit(request, input, signature, Duration.ofSeconds(60));
    }
    var settled = awaitSettled(asDapp, id);
    String answer =
        TensorLabels.decode(settled.output, card, TensorLabels.Side.OUTPUT).get(0).text();
    BigInteger eth =
        anvil
            .web3j()
            .ethGetBalance(USER.getAddress(), DefaultBlockParameterName.LATEST)
            .send()
            .getBalance();
    System.out.printf(
        Locale.ROOT,
        "signed request %d: %s asked over HTTP with no ETH (balance %s wei), paid from its vault"
            + " deposit -> %s%n",
        id,
        USER.getAddress().toLowerCase(Locale.ROOT),
        eth,
        answer);
    System.out.println(
        "  gas allowance "
            + quote.component2()
            + " wei: the relayer was paid back its gas from it, "
            + asDapp.balanceOf(USER.getAddress()).send()
            + " wei came back to the user's vault balance");
  }

  private InferenceHub.InferenceSettledEventResponse awaitSettled(InferenceHub hubView, long id)
      throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < until) {
      if (!hubView.isPending(BigInteger.valueOf(id)).send()) {
        var logs =
            anvil
                .web3j()
                .ethGetLogs(
                    new org.web3j.protocol.core.methods.request.EthFilter(
                            DefaultBlockParameterName.EARLIEST,
                            DefaultBlockParameterName.LATEST,
                            hub)
                        .addSingleTopic(
                            org.web3j.abi.EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT))
                        .addSingleTopic(
                            org.web3j.utils.Numeric.toHexStringWithPrefixZeroPadded(
                                BigInteger.valueOf(id), 64)))
                .send()
                .getLogs();
        if (!logs.isEmpty()) {
          return InferenceHub.getInferenceSettledEventFromLog(
              (org.web3j.protocol.core.methods.response.Log) logs.get(0).get());
        }
        throw new IllegalStateException("signed request " + id + " was closed without an answer");
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "signed request " + id + " was not settled in 120 s (scripts/credence logs relayer)");
  }
}
