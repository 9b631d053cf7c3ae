package io.credence.cli;

import io.credence.protocol.Hashes;
import io.credence.protocol.client.RelayerClient;
import io.credence.protocol.deploy.DeploymentManifest;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceRequest;
import io.credence.protocol.receipt.ReceiptSigner;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.time.Duration;
import org.web3j.crypto.Credentials;

/**
 * {@code credence infer --signed}: signs an {@code InferenceRequest} with the key and posts it to
 * the relayer, which submits it and is paid back from the request's allowance; the fee and the
 * allowance come from the key's vault balance, so its account needs no ETH for gas.
 */
final class SignedInfer {
  private SignedInfer() {}

  static long submit(
      CredenceCli.Chain chain,
      Credentials key,
      String relayer,
      long model,
      byte[] input,
      BigInteger fee,
      BigInteger gasAllowance,
      BigInteger maxFeePerGas,
      long deadline,
      long timeoutSeconds,
      PrintWriter err)
      throws Exception {
    var quote =
        chain
            .hub()
            .quoteSigned(
                BigInteger.valueOf(model),
                BigInteger.valueOf(input.length),
                BigInteger.ZERO,
                maxFeePerGas)
            .send();
    InferenceRequest request =
        new InferenceRequest(
            key.getAddress(),
            BigInteger.valueOf(model),
            Hashes.keccak256(input),
            fee != null ? fee : quote.component1(),
            gasAllowance != null ? gasAllowance : quote.component2(),
            maxFeePerGas,
            deadline,
            InferenceRequest.NO_CALLBACK,
            0,
            chain.hub().nonces(key.getAddress(), BigInteger.ZERO).send());
    BigInteger balance = chain.hub().balanceOf(key.getAddress()).send();
    BigInteger needed = request.fee().add(request.gasAllowance());
    if (balance.compareTo(needed) < 0) {
      throw new Court.Refused(
          "your vault balance is "
              + balance
              + " wei; this request needs "
              + needed
              + " wei (fee "
              + request.fee()
              + " + gas allowance "
              + request.gasAllowance()
              + "): credence deposit "
              + needed.subtract(balance));
    }
    String hub = chain.manifest().address(DeploymentManifest.INFERENCE_HUB);
    byte[] signature =
        new ReceiptSigner(key).sign(request, Eip712Domain.credence(chain.chainId(), hub));
    try (RelayerClient client = new RelayerClient(relayer)) {
      long id = client.submit(request, input, signature, Duration.ofSeconds(timeoutSeconds));
      err.println(
          "request "
              + id
              + " signed by "
              + key.getAddress().toLowerCase(java.util.Locale.ROOT)
              + " and submitted by the relayer ("
              + request.fee()
              + " wei fee and "
              + request.gasAllowance()
              + " wei gas allowance from your vault balance); waiting for a receipt");
      return id;
    } catch (RelayerClient.Refused r) {
      throw new Court.Refused(
          (r.status() == 202 ? "" : "the relayer refused the signed request (" + r.status() + "): ")
              + r.getMessage());
    }
  }
}
