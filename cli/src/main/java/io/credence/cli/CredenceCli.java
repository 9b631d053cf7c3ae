package io.credence.cli;

import io.credence.contracts.InferenceHub;
import io.credence.contracts.WorkerRegistry;
import io.credence.protocol.Hashes;
import io.credence.protocol.deploy.DeploymentManifest;
import io.credence.protocol.keys.SigningKeys;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.receipt.ReceiptSigner;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticEIP1559GasProvider;
import org.web3j.tx.response.PollingTransactionReceiptProcessor;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code credence}: the command-line client. Exit codes: 0 success, 1 a check failed (a receipt
 * that does not verify), 2 bad usage, 3 the chain or a file could not be read.
 */
@Command(
    name = "credence",
    mixinStandardHelpOptions = true,
    version = "credence 0.1.0",
    description = "Credence from the command line: ask for inferences, verify receipts against the chain alone, see and claim rewards.",
    subcommands = {
      CredenceCli.Infer.class, CredenceCli.Receipt.class, CredenceCli.Rewards.class, CredenceCli.Request.class, Registry.Dataset.class,
      Registry.Model.class, Registry.Worker.class
    })
public final class CredenceCli {
  static final int FAILED = 1;
  static final int UNAVAILABLE = 3;

  @Option(
      names = "--rpc",
      description = "JSON-RPC endpoint of the node (default: $CREDENCE_RPC_URL or http://127.0.0.1:8545)",
      defaultValue = "${env:CREDENCE_RPC_URL:-http://127.0.0.1:8545}")
  String rpc;

  @Option(
      names = "--deployment",
      description = "the deployment manifest (default: $CREDENCE_DEPLOYMENT or deployments/<chainId>.json)",
      defaultValue = "${env:CREDENCE_DEPLOYMENT}")
  Path deployment;

  @Option(
      names = "--keystore",
      description = "for commands that send transactions: a web3 keystore file, its password in $CREDENCE_KEY_PASSWORD"
          + " (without one: the key as hex in $CREDENCE_KEY_HEX; never on the command line)")
  Path keystore;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The environment (a test gives its own). */
  private Map<String, String> env = System.getenv();

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv()));
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
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          line.getErr().println("credence: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
          return UNAVAILABLE;
        });
    return cli.execute(args);
  }

  /** The chain and the contracts, connected once per command. */
  record Chain(Web3j web3j, long chainId, DeploymentManifest manifest) {
    InferenceHub hub() {
      return InferenceHub.load(manifest.address(DeploymentManifest.INFERENCE_HUB), web3j, new ReadonlyTransactionManager(web3j, null), new DefaultGasProvider());
    }

    WorkerRegistry workers() {
      return WorkerRegistry.load(
          manifest.address(DeploymentManifest.WORKER_REGISTRY), web3j, new ReadonlyTransactionManager(web3j, null), new DefaultGasProvider());
    }

    /** The hub's first log of {@code event} for request {@code id}, if any. */
    Optional<Log> log(Event event, long id) throws java.io.IOException {
      EthFilter filter =
          new EthFilter(
              DefaultBlockParameter.valueOf(BigInteger.valueOf(manifest.startBlock())), DefaultBlockParameterName.LATEST,
              manifest.address(DeploymentManifest.INFERENCE_HUB));
      filter.addSingleTopic(EventEncoder.encode(event));
      filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(id), 64));
      var logs = web3j.ethGetLogs(filter).send();
      if (logs.hasError()) {
        throw new java.io.IOException("eth_getLogs: " + logs.getError().getMessage());
      }
      return logs.getLogs().stream().map(r -> (Log) r.get()).findFirst();
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
          spec.commandLine(), "this command signs a transaction: set CREDENCE_KEY_HEX, or give --keystore with CREDENCE_KEY_PASSWORD");
    }
    return SigningKeys.load(
        "your", Optional.ofNullable(env.get("CREDENCE_KEY_HEX")), Optional.ofNullable(keystore).map(Path::toString),
        Optional.ofNullable(env.get("CREDENCE_KEY_PASSWORD")), "CREDENCE_KEY", "--keystore");
  }

  /** How a command sends: {@code key}'s transactions with EIP-1559 fees from the node. */
  record Sender(RawTransactionManager tm, StaticEIP1559GasProvider gas) {
    static Sender of(Chain chain, Credentials key) throws java.io.IOException {
      String base = chain.web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getBaseFeePerGasRaw();
      BigInteger baseFee = base == null ? BigInteger.ZERO : Numeric.decodeQuantity(base);
      BigInteger tip = BigInteger.valueOf(1_000_000_000L);
      return new Sender(
          new RawTransactionManager(chain.web3j(), key, chain.chainId(), new PollingTransactionReceiptProcessor(chain.web3j(), 200, 300)),
          new StaticEIP1559GasProvider(chain.chainId(), baseFee.multiply(BigInteger.TWO).add(tip), tip, BigInteger.valueOf(3_000_000)));
    }
  }

  /** The hub, sending as {@code key}. */
  static InferenceHub hubAs(Chain chain, Credentials key) throws java.io.IOException {
    Sender s = Sender.of(chain, key);
    return InferenceHub.load(chain.manifest().address(DeploymentManifest.INFERENCE_HUB), chain.web3j(), s.tm(), s.gas());
  }

  Chain connect() throws java.io.IOException {
    Web3j web3j = Web3j.build(new HttpService(rpc));
    long chainId;
    try {
      chainId = web3j.ethChainId().send().getChainId().longValueExact();
    } catch (java.io.IOException e) {
      throw new java.io.IOException("cannot reach the node at " + rpc + ": " + e.getMessage(), e);
    }
    Path file = deployment != null ? deployment : DeploymentManifest.file(Path.of("deployments"), chainId);
    if (!Files.exists(file)) {
      throw new java.io.IOException("no deployment manifest at " + file + " (give one with --deployment)");
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
    throw new CommandLine.ParameterException(line, "a request id is a positive integer, got '" + value + "'");
  }

  // ------------------------------------------------------------------ infer

  @Command(
      name = "infer",
      description = "Requests an inference, waits for its receipt and prints the output tensors as JSON (see --input).")
  static final class Infer implements Callable<Integer> {
    @ParentCommand CredenceCli root;

    @Option(names = "--model", required = true, description = "the model id")
    long model;

    @Option(
        names = "--input", required = true,
        description = "a JSON file (or - for standard input): [{\"name\":\"features\",\"dtype\":\"float32\",\"shape\":[1,4],\"data\":[...]}]")
    String input;

    @Option(names = "--fee", description = "wei to escrow (default: the model's fee)")
    BigInteger fee;

    @Option(names = "--deadline", defaultValue = "600", description = "seconds until the request may be expired and refunded (default 600)")
    long deadline;

    @Option(names = "--timeout", defaultValue = "300", description = "seconds to wait for the receipt (default 300)")
    long timeout;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String json = input.equals("-") ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8) : Files.readString(Path.of(input));
      byte[] encoded;
      try {
        encoded = TensorCodec.encode(TensorJson.read(json));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      Credentials key = root.key();
      Chain chain = root.connect();
      InferenceHub hub = hubAs(chain, key);
      BigInteger escrow = fee != null ? fee : chain.hub().modelTerms(BigInteger.valueOf(model)).send().component2();
      long now = chain.web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getTimestamp().longValueExact();
      var tx = hub.requestInference(BigInteger.valueOf(model), encoded, BigInteger.valueOf(now + deadline), "0x0000000000000000000000000000000000000000", BigInteger.ZERO, escrow).send();
      long id = InferenceHub.getInferenceRequestedEvents(tx).get(0).requestId.longValueExact();
      err.println("request " + id + " sent (transaction " + tx.getTransactionHash() + ", " + escrow + " wei escrowed); waiting for a receipt");
      long start = System.nanoTime();
      long lastNote = start;
      while (System.nanoTime() - start < timeout * 1_000_000_000L) {
        Optional<Log> settled = chain.log(InferenceHub.INFERENCESETTLED_EVENT, id);
        if (settled.isPresent()) {
          var s = InferenceHub.getInferenceSettledEventFromLog(settled.get());
          err.printf("settled after %.1f s in block %s (transaction %s); check it with: credence receipt verify %d%n",
              (System.nanoTime() - start) / 1e9, settled.get().getBlockNumber(), settled.get().getTransactionHash(), id);
          out.println(TensorJson.write(TensorCodec.decode(s.output)));
          return 0;
        }
        Optional<Log> failed = chain.log(InferenceHub.INFERENCEFAILED_EVENT, id);
        if (failed.isPresent()) {
          var f = InferenceHub.getInferenceFailedEventFromLog(failed.get());
          err.println("request " + id + " failed (reason " + f.reason + "): " + f.refund + " wei refunded to your vault balance (credence rewards claim)");
          return FAILED;
        }
        if (chain.log(InferenceHub.INFERENCEEXPIRED_EVENT, id).isPresent()) {
          err.println("request " + id + " expired: the fee was refunded to your vault balance (credence rewards claim)");
          return FAILED;
        }
        if (System.nanoTime() - lastNote > 5_000_000_000L) {
          lastNote = System.nanoTime();
          err.printf("  still waiting for request %d (%.0f s)%n", id, (lastNote - start) / 1e9);
        }
        Thread.sleep(500);
      }
      err.println("no receipt for request " + id + " after " + timeout + " s; it stays pending until its deadline (credence request show " + id + ")");
      return FAILED;
    }
  }

  // ------------------------------------------------------------------ receipt verify

  @Command(name = "receipt", description = "Receipts.", subcommands = Receipt.Verify.class)
  static final class Receipt {
    @ParentCommand CredenceCli root;

    @Command(
        name = "verify",
        description =
            "Checks a settled receipt against the chain alone, without any Credence service: the settlement event, the EIP-712"
                + " digest of every proof, its signer recovered and active in the worker registry when the receipt settled, the"
                + " quorum, the output against its hash and, with --model-file, the model file against the registered SHA-256.")
    static final class Verify implements Callable<Integer> {
      @ParentCommand Receipt receipt;

      @Parameters(paramLabel = "REQUEST_ID", description = "the request whose receipt to check")
      String id;

      @Option(names = "--model-file", description = "a local copy of the model, to check against the registered SHA-256")
      Path modelFile;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        long requestId = requestId(spec.commandLine(), id);
        PrintWriter out = spec.commandLine().getOut();
        Chain chain = receipt.root.connect();
        Optional<Log> requestedLog = chain.log(InferenceHub.INFERENCEREQUESTED_EVENT, requestId);
        if (requestedLog.isEmpty()) {
          out.println("request " + requestId + ": not found on this hub");
          return FAILED;
        }
        var requested = InferenceHub.getInferenceRequestedEventFromLog(requestedLog.get());
        Optional<Log> settledLog = chain.log(InferenceHub.INFERENCESETTLED_EVENT, requestId);
        if (settledLog.isEmpty()) {
          String state =
              chain.log(InferenceHub.INFERENCEFAILED_EVENT, requestId).isPresent()
                  ? "failed and refunded"
                  : chain.log(InferenceHub.INFERENCEEXPIRED_EVENT, requestId).isPresent() ? "expired and refunded" : "pending";
          out.println("request " + requestId + ": no receipt (" + state + ")");
          return FAILED;
        }
        var settled = InferenceHub.getInferenceSettledEventFromLog(settledLog.get());
        long block = settledLog.get().getBlockNumber().longValueExact();
        var terms = chain.hub().modelTerms(requested.modelId).send();
        byte[] modelHash = terms.component1();
        int quorum = terms.component3().intValue();
        List<String> problems = new ArrayList<>();
        byte[] outputHash = Hashes.keccak256(settled.output);
        out.println("request      " + requestId + " (model " + requested.modelId + ", requester " + requested.requester.toLowerCase(Locale.ROOT) + ")");
        out.println("settled in   block " + block + ", transaction " + settledLog.get().getTransactionHash());
        out.println("model hash   " + Hashes.hex(modelHash) + " (quorum " + quorum + ")");
        out.println("input hash   " + Hashes.hex(requested.inputHash));
        out.println("output hash  " + Hashes.hex(outputHash) + " = keccak256 of the " + settled.output.length + "-byte output");
        byte[] proofs = settled.proofs;
        if (proofs.length != quorum * ReceiptProofs.PROOF_BYTES) {
          problems.add("the receipt carries " + proofs.length / ReceiptProofs.PROOF_BYTES + " proofs; the model's quorum is " + quorum);
        }
        Eip712Domain domain = Eip712Domain.credence(chain.chainId(), chain.manifest().address(DeploymentManifest.INFERENCE_HUB));
        WorkerRegistry workers = chain.workers();
        // the registry as it was when the receipt settled
        workers.setDefaultBlockParameter(DefaultBlockParameter.valueOf(BigInteger.valueOf(block - 1)));
        String previous = "";
        for (int k = 0; k < proofs.length / ReceiptProofs.PROOF_BYTES; k++) {
          byte[] signature = ReceiptProofs.signature(proofs, k);
          long executedAt = ReceiptProofs.executedAt(proofs, k);
          byte[] digest = new InferenceReceipt(settled.requestId, modelHash, requested.inputHash, outputHash, executedAt).digest(domain);
          String signer;
          try {
            signer = ReceiptSigner.recover(digest, signature).toLowerCase(Locale.ROOT);
          } catch (SignatureException e) {
            problems.add("proof " + k + " does not recover: " + e.getMessage());
            continue;
          }
          boolean active = workers.isActive(signer).send();
          out.println("signer " + k + "     " + signer + " (executed at " + executedAt + ", " + (active ? "an active worker" : "NOT an active worker") + " at block " + (block - 1) + ")");
          if (!active) {
            problems.add("signer " + signer + " was not an active worker");
          }
          if (signer.compareTo(previous) <= 0) {
            problems.add("signers are not distinct and ascending");
          }
          previous = signer;
        }
        if (modelFile != null) {
          byte[] sha = Hashes.sha256(modelFile);
          boolean same = Arrays.equals(sha, modelHash);
          out.println("model file   " + modelFile + ": sha256 " + Hashes.hex(sha) + (same ? " matches" : " DOES NOT match"));
          if (!same) {
            problems.add("the model file is not the registered model");
          }
        }
        if (problems.isEmpty()) {
          out.println("verified: every check passed");
          return 0;
        }
        problems.forEach(p -> out.println("FAILED: " + p));
        return FAILED;
      }
    }
  }

  // ------------------------------------------------------------------ rewards show

  @Command(name = "rewards", description = "Rewards.", subcommands = {Rewards.Show.class, Rewards.Claim.class})
  static final class Rewards {
    @ParentCommand CredenceCli root;

    @Command(name = "show", description = "What an account can claim now, and its credited balance, from the vault.")
    static final class Show implements Callable<Integer> {
      @ParentCommand Rewards rewards;

      @Parameters(paramLabel = "ADDRESS", description = "the account")
      String address;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        if (!address.matches("0x[0-9a-fA-F]{40}")) {
          throw new CommandLine.ParameterException(spec.commandLine(), "an address is 0x followed by 40 hex digits, got '" + address + "'");
        }
        Chain chain = rewards.root.connect();
        InferenceHub hub = chain.hub();
        PrintWriter out = spec.commandLine().getOut();
        out.println("account    " + address.toLowerCase(Locale.ROOT));
        out.println("claimable  " + hub.claimable(address).send() + " wei (claim(its models) pays this now)");
        out.println("balance    " + hub.balanceOf(address).send() + " wei (credited; claim() pays this)");
        return 0;
      }
    }

    @Command(name = "claim", description = "Pays your vault balance; with --models, first distributes those models' pools (your shares).")
    static final class Claim implements Callable<Integer> {
      @ParentCommand Rewards rewards;

      @Option(names = "--models", split = ",", description = "model ids whose pools to distribute first (your contributor shares)")
      List<Long> models = new ArrayList<>();

      @Option(names = "--to", description = "pay this address instead of yours")
      String to;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        if (to != null && !to.matches("0x[0-9a-fA-F]{40}")) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--to is an address, 0x followed by 40 hex digits");
        }
        Credentials key = rewards.root.key();
        Chain chain = rewards.root.connect();
        PrintWriter out = spec.commandLine().getOut();
        BigInteger claimable = chain.hub().claimable(key.getAddress()).send();
        BigInteger balance = chain.hub().balanceOf(key.getAddress()).send();
        if ((models.isEmpty() ? balance : claimable).signum() == 0) {
          out.println("nothing to claim for " + key.getAddress().toLowerCase(Locale.ROOT) + (models.isEmpty() && claimable.signum() > 0 ? " yet: name your models with --models" : ""));
          return FAILED;
        }
        InferenceHub hub = hubAs(chain, key);
        List<BigInteger> ids = models.stream().map(BigInteger::valueOf).toList();
        var tx = to != null ? hub.claimTo(to, ids).send() : hub.claim(ids).send();
        var claimed = InferenceHub.getClaimedEvents(tx);
        BigInteger amount = claimed.isEmpty() ? BigInteger.ZERO : claimed.get(0).amount;
        out.println("claimed " + amount + " wei to " + (to != null ? to.toLowerCase(Locale.ROOT) : key.getAddress().toLowerCase(Locale.ROOT)) + " (transaction " + tx.getTransactionHash() + ")");
        return 0;
      }
    }
  }

  // ------------------------------------------------------------------ request show

  @Command(name = "request", description = "Requests.", subcommands = Request.Show.class)
  static final class Request {
    @ParentCommand CredenceCli root;

    @Command(name = "show", description = "A request and how it ended, from the chain.")
    static final class Show implements Callable<Integer> {
      @ParentCommand Request request;

      @Parameters(paramLabel = "REQUEST_ID")
      String id;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        long requestId = requestId(spec.commandLine(), id);
        Chain chain = request.root.connect();
        PrintWriter out = spec.commandLine().getOut();
        Optional<Log> requested = chain.log(InferenceHub.INFERENCEREQUESTED_EVENT, requestId);
        if (requested.isEmpty()) {
          out.println("request " + requestId + ": not found on this hub");
          return FAILED;
        }
        var e = InferenceHub.getInferenceRequestedEventFromLog(requested.get());
        out.println("request    " + requestId);
        out.println("model      " + e.modelId);
        out.println("requester  " + e.requester.toLowerCase(Locale.ROOT));
        out.println("fee        " + e.fee + " wei");
        out.println("deadline   " + e.deadline);
        out.println("requested  block " + requested.get().getBlockNumber() + ", transaction " + requested.get().getTransactionHash());
        Optional<Log> settled = chain.log(InferenceHub.INFERENCESETTLED_EVENT, requestId);
        Optional<Log> failed = chain.log(InferenceHub.INFERENCEFAILED_EVENT, requestId);
        Optional<Log> expired = chain.log(InferenceHub.INFERENCEEXPIRED_EVENT, requestId);
        if (settled.isPresent()) {
          var s = InferenceHub.getInferenceSettledEventFromLog(settled.get());
          out.println("state      SETTLED in block " + settled.get().getBlockNumber() + ", transaction " + settled.get().getTransactionHash());
          out.println("output     " + Hashes.hex(s.output));
        } else if (failed.isPresent()) {
          var f = InferenceHub.getInferenceFailedEventFromLog(failed.get());
          out.println("state      FAILED (reason " + f.reason + "), refunded " + f.refund + " wei in block " + failed.get().getBlockNumber());
        } else if (expired.isPresent()) {
          out.println("state      EXPIRED, refunded in block " + expired.get().getBlockNumber());
        } else {
          out.println("state      PENDING");
        }
        return 0;
      }
    }
  }
}
