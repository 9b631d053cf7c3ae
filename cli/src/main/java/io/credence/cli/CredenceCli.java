package io.credence.cli;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.WorkerRegistry;
import io.credence.protocol.chain.CheckedTransactionManager;
import io.credence.protocol.chain.ContractErrors;
import io.credence.protocol.deploy.DeploymentManifest;
import io.credence.protocol.keys.SigningKeys;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.exceptions.ContractCallException;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.tx.gas.StaticEIP1559GasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.utils.Numeric;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code credence}: the command-line client. Exit codes: 0 success, 1 a check failed (a receipt
 * that does not verify) or the chain refused a transaction, 2 bad usage, 3 the chain or a file
 * could not be read. A check that refuses before anything is sent ({@code credence challenge}) is
 * one line and exit code 1. Every error from the chain names the contract's custom error with its
 * arguments ({@link ContractErrors}); transactions are simulated before they are sent, so one that
 * would revert costs nothing.
 *
 * <p>Over 400 lines: the root command, its shared options and connection helpers, and the small
 * rewards commands; every larger command has a file of its own.
 */
@Command(
    name = "credence",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT, // --help and --version on every subcommand too
    version = "credence 0.1.0",
    description =
        "Credence from the command line: ask for inferences, verify receipts against the chain alone, see and claim rewards.",
    subcommands = {
      Infer.class,
      Gas.Quote.class,
      Gas.Deposit.class,
      Receipts.Receipt.class,
      CredenceCli.Rewards.class,
      Requests.Request.class,
      Challenge.class,
      Disputes.Dispute.class,
      Registry.Dataset.class,
      Registry.Model.class,
      Registry.Worker.class,
      WarmUp.class
    })
public final class CredenceCli {
  static final int FAILED = 1;
  static final int UNAVAILABLE = 3;

  @Option(
      names = "--rpc",
      description =
          "JSON-RPC endpoint of the node (default: $CREDENCE_RPC_URL or http://127.0.0.1:8545)",
      defaultValue = "${env:CREDENCE_RPC_URL:-http://127.0.0.1:8545}")
  String rpc;

  @Option(
      names = "--deployment",
      description =
          "the deployment manifest (default: $CREDENCE_DEPLOYMENT, else <chainId>.json in $CREDENCE_DEPLOYMENTS or deployments/)",
      defaultValue = "${env:CREDENCE_DEPLOYMENT}")
  Path deployment;

  @Option(
      names = "--keystore",
      description =
          "for commands that send transactions: a web3 keystore file, its password in $CREDENCE_KEY_PASSWORD"
              + " (without one: the key as hex in $CREDENCE_KEY_HEX; never on the command line)")
  Path keystore;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The environment (a test gives its own). */
  private Map<String, String> env = System.getenv();

  public static void main(String[] args) {
    System.exit(
        run(
            args,
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true),
            System.getenv()));
  }

  /**
   * Runs a command line with its output to {@code out}, errors and progress to {@code err}, keys
   * read from {@code env}; returns the exit code.
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    CredenceCli root = new CredenceCli();
    root.env = env;
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof Court.Refused) {
        line.getErr().println("credence: " + e.getMessage());
        return FAILED;
      }
      line.getErr().println("credence: " + ContractErrors.describe(e));
      return e instanceof TransactionException || e instanceof ContractCallException
          ? FAILED
          : UNAVAILABLE;
    });
    return cli.execute(args);
  }

  /** The chain and the contracts, connected once per command. */
  record Chain(Web3j web3j, long chainId, DeploymentManifest manifest) {
    InferenceHub hub() {
      return InferenceHub.load(
          manifest.address(DeploymentManifest.INFERENCE_HUB),
          web3j,
          CheckedTransactionManager.readonly(web3j, null),
          new DefaultGasProvider());
    }

    WorkerRegistry workers() {
      return WorkerRegistry.load(
          manifest.address(DeploymentManifest.WORKER_REGISTRY),
          web3j,
          CheckedTransactionManager.readonly(web3j, null),
          new DefaultGasProvider());
    }

    /** Whether the deployment has a DisputeCourt (older manifests have none). */
    boolean hasCourt() {
      return manifest.contracts().containsKey(DeploymentManifest.DISPUTE_COURT);
    }

    DisputeCourt court() {
      return DisputeCourt.load(
          manifest.address(DeploymentManifest.DISPUTE_COURT),
          web3j,
          CheckedTransactionManager.readonly(web3j, null),
          new DefaultGasProvider());
    }

    /** The hub's first log of {@code event} for request {@code id}, if any. */
    Optional<Log> log(Event event, long id) throws java.io.IOException {
      return logs(manifest.address(DeploymentManifest.INFERENCE_HUB), event, topic(id)).stream()
          .findFirst();
    }

    /**
     * The logs of {@code event} from {@code address} since the deployment, oldest first, whose
     * indexed topics are {@code topics} (null: any).
     */
    List<Log> logs(String address, Event event, String... topics) throws java.io.IOException {
      EthFilter filter =
          new EthFilter(
              DefaultBlockParameter.valueOf(BigInteger.valueOf(manifest.startBlock())),
              DefaultBlockParameterName.LATEST,
              address);
      filter.addSingleTopic(EventEncoder.encode(event));
      for (String t : topics) {
        if (t == null) {
          filter.addNullTopic();
        } else {
          filter.addSingleTopic(t);
        }
      }
      var logs = web3j.ethGetLogs(filter).send();
      if (logs.hasError()) {
        throw new java.io.IOException("eth_getLogs: " + logs.getError().getMessage());
      }
      return logs.getLogs().stream().map(r -> (Log) r.get()).toList();
    }

    /** The timestamp of block {@code number}. */
    long blockTime(long number) throws java.io.IOException {
      return web3j
          .ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false)
          .send()
          .getBlock()
          .getTimestamp()
          .longValueExact();
    }

    /** The latest block's timestamp. */
    long latestTime() throws java.io.IOException {
      return web3j
          .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
          .send()
          .getBlock()
          .getTimestamp()
          .longValueExact();
    }

    /** An indexed uint256 topic. */
    static String topic(long value) {
      return Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(value), 64);
    }
  }

  /** The environment the command runs in. */
  Map<String, String> environment() {
    return env;
  }

  /** The signing key, from the keystore or the environment. */
  Credentials key() {
    if (keystore == null && env.get("CREDENCE_KEY_HEX") == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "this command signs a transaction: set CREDENCE_KEY_HEX, or give --keystore with CREDENCE_KEY_PASSWORD");
    }
    return SigningKeys.load(
        "your",
        Optional.ofNullable(env.get("CREDENCE_KEY_HEX")),
        Optional.ofNullable(keystore).map(Path::toString),
        Optional.ofNullable(env.get("CREDENCE_KEY_PASSWORD")),
        "CREDENCE_KEY",
        "--keystore");
  }

  /**
   * How a command sends: {@code key}'s transactions with EIP-1559 fees from the node, each
   * simulated first (a revert is reported, decoded, instead of sent).
   */
  record Sender(RawTransactionManager tm, StaticEIP1559GasProvider gas) {
    static Sender of(Chain chain, Credentials key) throws java.io.IOException {
      String base =
          chain
              .web3j()
              .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
              .send()
              .getBlock()
              .getBaseFeePerGasRaw();
      BigInteger baseFee = base == null ? BigInteger.ZERO : Numeric.decodeQuantity(base);
      BigInteger tip = BigInteger.valueOf(1_000_000_000L);
      return new Sender(
          new CheckedTransactionManager(
              chain.web3j(),
              key,
              chain.chainId(),
              new PollingTransactionReceiptProcessor(chain.web3j(), 200, 300)),
          new StaticEIP1559GasProvider(
              chain.chainId(),
              baseFee.multiply(BigInteger.TWO).add(tip),
              tip,
              BigInteger.valueOf(3_000_000)));
    }
  }

  /** The hub, sending as {@code key}. */
  static InferenceHub hubAs(Chain chain, Credentials key) throws java.io.IOException {
    Sender s = Sender.of(chain, key);
    return InferenceHub.load(
        chain.manifest().address(DeploymentManifest.INFERENCE_HUB), chain.web3j(), s.tm(), s.gas());
  }

  Chain connect() throws java.io.IOException {
    Web3j web3j = Web3j.build(new HttpService(rpc));
    long chainId;
    try {
      chainId = web3j.ethChainId().send().getChainId().longValueExact();
    } catch (java.io.IOException e) {
      throw new java.io.IOException("cannot reach the node at " + rpc + ": " + e.getMessage(), e);
    }
    String dir = env.get("CREDENCE_DEPLOYMENTS");
    Path file =
        deployment != null
            ? deployment
            : DeploymentManifest.file(
                Path.of(dir == null || dir.isBlank() ? "deployments" : dir), chainId);
    if (!Files.exists(file)) {
      throw new java.io.IOException(
          "no deployment manifest at " + file + " (give one with --deployment)");
    }
    return new Chain(web3j, chainId, DeploymentManifest.read(file));
  }

  static long requestId(CommandLine line, String value) {
    try {
      long id = Long.parseLong(value);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new CommandLine.ParameterException(
        line, "a request id is a positive integer, got '" + value + "'");
  }

  // ------------------------------------------------------------------ rewards show

  @Command(
      name = "rewards",
      description = "Rewards.",
      subcommands = {Rewards.Show.class, Rewards.Claim.class})
  static final class Rewards {
    @ParentCommand CredenceCli root;

    @Command(
        name = "show",
        description = "What an account can claim now, and its credited balance, from the vault.")
    static final class Show implements Callable<Integer> {
      @ParentCommand Rewards rewards;

      @Parameters(paramLabel = "ADDRESS", description = "the account")
      String address;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        if (!address.matches("0x[0-9a-fA-F]{40}")) {
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              "an address is 0x followed by 40 hex digits, got '" + address + "'");
        }
        Chain chain = rewards.root.connect();
        InferenceHub hub = chain.hub();
        PrintWriter out = spec.commandLine().getOut();
        out.println("account    " + address.toLowerCase(Locale.ROOT));
        out.println(
            "claimable  "
                + hub.claimable(address).send()
                + " wei (claim(its models) pays this now)");
        out.println(
            "balance    " + hub.balanceOf(address).send() + " wei (credited; claim() pays this)");
        return 0;
      }
    }

    @Command(
        name = "claim",
        description =
            "Pays your vault balance; with --models, first distributes those models' pools (your shares).")
    static final class Claim implements Callable<Integer> {
      @ParentCommand Rewards rewards;

      @Option(
          names = "--models",
          split = ",",
          description = "model ids whose pools to distribute first (your contributor shares)")
      List<Long> models = new ArrayList<>();

      @Option(names = "--to", description = "pay this address instead of yours")
      String to;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        if (to != null && !to.matches("0x[0-9a-fA-F]{40}")) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "--to is an address, 0x followed by 40 hex digits");
        }
        Credentials key = rewards.root.key();
        Chain chain = rewards.root.connect();
        PrintWriter out = spec.commandLine().getOut();
        BigInteger claimable = chain.hub().claimable(key.getAddress()).send();
        BigInteger balance = chain.hub().balanceOf(key.getAddress()).send();
        if ((models.isEmpty() ? balance : claimable).signum() == 0) {
          out.println(
              "nothing to claim for "
                  + key.getAddress().toLowerCase(Locale.ROOT)
                  + (models.isEmpty() && claimable.signum() > 0
                      ? " yet: name your models with --models"
                      : ""));
          return FAILED;
        }
        InferenceHub hub = hubAs(chain, key);
        List<BigInteger> ids = models.stream().map(BigInteger::valueOf).toList();
        var tx = to != null ? hub.claimTo(to, ids).send() : hub.claim(ids).send();
        var claimed = InferenceHub.getClaimedEvents(tx);
        BigInteger amount = claimed.isEmpty() ? BigInteger.ZERO : claimed.get(0).amount;
        out.println(
            "claimed "
                + amount
                + " wei to "
                + (to != null
                    ? to.toLowerCase(Locale.ROOT)
                    : key.getAddress().toLowerCase(Locale.ROOT))
                + " (transaction "
                + tx.getTransactionHash()
                + ")");
        return 0;
      }
    }
  }
}
