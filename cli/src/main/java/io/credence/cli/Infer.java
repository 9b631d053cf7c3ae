package io.credence.cli;

import static io.credence.cli.CredenceCli.FAILED;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.tensor.TensorCodec;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.Log;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "infer",
    description =
        "Requests an inference, waits for its receipt and prints the output tensors as JSON (see --input).")
final class Infer implements Callable<Integer> {
  @ParentCommand CredenceCli root;

  @Option(names = "--model", required = true, description = "the model id")
  long model;

  @Option(
      names = "--input",
      required = true,
      description =
          "a JSON file (or - for standard input): [{\"name\":\"features\",\"dtype\":\"float32\",\"shape\":[1,4],\"data\":[...]}]")
  String input;

  @Option(names = "--fee", description = "wei to escrow (default: the model's fee)")
  BigInteger fee;

  @Option(
      names = "--max-fee-per-gas",
      description =
          "the most wei per gas your allowance pays back to whoever settles the request (default: twice the latest base fee plus 2 gwei)")
  BigInteger maxFeePerGas;

  @Option(
      names = "--gas-allowance",
      description =
          "wei escrowed to pay back the gas of serving the request; what it does not spend comes back to your vault balance (default: the hub's quote)")
  BigInteger gasAllowance;

  @Option(
      names = "--deadline",
      defaultValue = "600",
      description = "seconds until the request may be expired and refunded (default 600)")
  long deadline;

  @Option(
      names = "--timeout",
      defaultValue = "300",
      description = "seconds to wait for the receipt (default 300)")
  long timeout;

  @Option(
      names = "--signed",
      description =
          "sign the request (EIP-712) and post it to the relayer, which submits it: paid from your vault balance (credence deposit), no ETH for gas needed")
  boolean signed;

  @Option(
      names = "--relayer",
      description =
          "the relayer's HTTP address, for --signed (default: $CREDENCE_RELAYER_URL or http://127.0.0.1:8080)",
      defaultValue = "${env:CREDENCE_RELAYER_URL:-http://127.0.0.1:8080}")
  String relayer;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String json =
        input.equals("-")
            ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            : Files.readString(Path.of(input));
    byte[] encoded;
    try {
      encoded = TensorCodec.encode(TensorJson.read(json));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Credentials key = root.key();
    CredenceCli.Chain chain = root.connect();
    BigInteger perGas = maxFeePerGas != null ? maxFeePerGas : defaultMaxFeePerGas(chain);
    // from the next block's time, not the latest block's: on an idle chain that one is old
    long at = new ChainTime(chain.web3j()).deadlineIn(deadline);
    long id =
        signed
            ? SignedInfer.submit(
                chain, key, relayer, model, encoded, fee, gasAllowance, perGas, at, timeout, err)
            : direct(chain, key, encoded, perGas, at, err);
    return awaitReceipt(chain, id, out, err);
  }

  /** Sends the request from the key's own account (it pays the gas); returns its id. */
  private long direct(
      CredenceCli.Chain chain,
      Credentials key,
      byte[] encoded,
      BigInteger perGas,
      long at,
      PrintWriter err)
      throws Exception {
    InferenceHub hub = CredenceCli.hubAs(chain, key);
    var quote = chain.hub().quote(BigInteger.valueOf(model), BigInteger.ZERO, perGas).send();
    BigInteger escrow = fee != null ? fee : quote.component1();
    BigInteger allowance = gasAllowance != null ? gasAllowance : quote.component2();
    var tx =
        hub.requestInference(
                BigInteger.valueOf(model),
                encoded,
                BigInteger.valueOf(at),
                "0x0000000000000000000000000000000000000000",
                BigInteger.ZERO,
                allowance,
                perGas,
                escrow.add(allowance))
            .send();
    long id = InferenceHub.getInferenceRequestedEvents(tx).get(0).requestId.longValueExact();
    err.println(
        "request "
            + id
            + " sent (transaction "
            + tx.getTransactionHash()
            + ", "
            + escrow
            + " wei fee and "
            + allowance
            + " wei gas allowance escrowed); waiting for a receipt");
    return id;
  }

  /** Waits for the request's receipt, printing its output; the exit code. */
  private int awaitReceipt(CredenceCli.Chain chain, long id, PrintWriter out, PrintWriter err)
      throws Exception {
    long start = System.nanoTime();
    long lastNote = start;
    while (System.nanoTime() - start < timeout * 1_000_000_000L) {
      Optional<Log> settled = chain.log(InferenceHub.INFERENCESETTLED_EVENT, id);
      if (settled.isPresent()) {
        var s = InferenceHub.getInferenceSettledEventFromLog(settled.get());
        err.printf(
            "settled after %.1f s in block %s (transaction %s); check it with: credence receipt verify %d%n",
            (System.nanoTime() - start) / 1e9,
            settled.get().getBlockNumber(),
            settled.get().getTransactionHash(),
            id);
        out.println(TensorJson.write(TensorCodec.decode(s.output)));
        return 0;
      }
      Optional<Log> failed = chain.log(InferenceHub.INFERENCEFAILED_EVENT, id);
      if (failed.isPresent()) {
        var f = InferenceHub.getInferenceFailedEventFromLog(failed.get());
        err.println(
            "request "
                + id
                + " failed (reason "
                + f.reason
                + "): "
                + f.refund
                + " wei refunded to your vault balance (credence rewards claim)");
        return FAILED;
      }
      if (chain.log(InferenceHub.INFERENCEEXPIRED_EVENT, id).isPresent()) {
        err.println(
            "request "
                + id
                + " expired: the fee was refunded to your vault balance (credence rewards claim)");
        return FAILED;
      }
      if (System.nanoTime() - lastNote > 5_000_000_000L) {
        lastNote = System.nanoTime();
        err.printf("  still waiting for request %d (%.0f s)%n", id, (lastNote - start) / 1e9);
      }
      Thread.sleep(500);
    }
    err.println(
        "no receipt for request "
            + id
            + " after "
            + timeout
            + " s; it stays pending until its deadline (credence request show "
            + id
            + ")");
    return FAILED;
  }

  /**
   * Twice the latest base fee plus 2 gwei: room for the base fee to rise meanwhile and for the
   * relayer's tip (a relayer leaves a request whose cap is below what gas costs it waiting).
   */
  static BigInteger defaultMaxFeePerGas(CredenceCli.Chain chain) throws java.io.IOException {
    String base =
        chain
            .web3j()
            .ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false)
            .send()
            .getBlock()
            .getBaseFeePerGasRaw();
    BigInteger baseFee =
        base == null ? BigInteger.ZERO : org.web3j.utils.Numeric.decodeQuantity(base);
    return baseFee.shiftLeft(1).add(BigInteger.valueOf(2_000_000_000L));
  }
}
