package io.credence.cli;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** What a request costs, and the vault deposit signed requests are paid from. */
final class Gas {
  private Gas() {}

  @Command(
      name = "quote",
      description =
          "The fee and the gas allowance that serve one request of a model: send fee + allowance (what the allowance does not spend comes back).")
  static final class Quote implements Callable<Integer> {
    @ParentCommand CredenceCli root;

    @Option(names = "--model", required = true, description = "the model id")
    long model;

    @Option(
        names = "--callback-gas",
        defaultValue = "0",
        description = "gas your callback gets (default 0: no callback)")
    long callbackGas;

    @Option(
        names = "--max-fee-per-gas",
        description =
            "the most wei per gas the allowance pays back (default: twice the latest base fee plus 2 gwei)")
    BigInteger maxFeePerGas;

    @Option(
        names = "--signed-input-bytes",
        defaultValue = "0",
        description =
            "for a signed request (infer --signed): its input's size in bytes; its allowance also pays for its submission")
    long signedInputBytes;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      CredenceCli.Chain chain = root.connect();
      BigInteger perGas = maxFeePerGas != null ? maxFeePerGas : Infer.defaultMaxFeePerGas(chain);
      var q =
          chain
              .hub()
              .quoteSigned(
                  BigInteger.valueOf(model),
                  BigInteger.valueOf(signedInputBytes),
                  BigInteger.valueOf(callbackGas),
                  perGas)
              .send();
      PrintWriter out = spec.commandLine().getOut();
      out.println("model           " + model);
      out.println("fee             " + q.component1() + " wei (split among contributors)");
      out.println(
          "gas allowance   "
              + q.component2()
              + " wei (pays back the gas of serving it alone at up to "
              + perGas
              + " wei per gas; the rest comes back)");
      out.println("send            " + q.component1().add(q.component2()) + " wei");
      return 0;
    }
  }

  @Command(
      name = "deposit",
      description =
          "Adds ETH to a vault balance, which pays for signed requests (infer --signed); credence rewards claim takes it back.")
  static final class Deposit implements Callable<Integer> {
    @ParentCommand CredenceCli root;

    @Parameters(paramLabel = "WEI", description = "how much, in wei")
    BigInteger amount;

    @Option(names = "--for", description = "the account to credit (default: yours)")
    String account;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (amount.signum() <= 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "a deposit is a positive number of wei");
      }
      if (account != null && !account.matches("0x[0-9a-fA-F]{40}")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--for is an address, 0x followed by 40 hex digits");
      }
      Credentials key = root.key();
      CredenceCli.Chain chain = root.connect();
      String to = (account != null ? account : key.getAddress()).toLowerCase(Locale.ROOT);
      var tx = CredenceCli.hubAs(chain, key).depositFor(to, amount).send();
      spec.commandLine()
          .getOut()
          .println(
              "deposited "
                  + amount
                  + " wei for "
                  + to
                  + " (transaction "
                  + tx.getTransactionHash()
                  + "); balance now "
                  + chain.hub().balanceOf(to).send()
                  + " wei");
      return 0;
    }
  }
}
