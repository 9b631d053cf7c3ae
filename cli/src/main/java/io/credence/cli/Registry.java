package io.credence.cli;

import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.protocol.Hashes;
import io.credence.protocol.deploy.DeploymentManifest;
import io.credence.protocol.keys.SigningKeys;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.WorkerKeyProof;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.crypto.Credentials;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Registering datasets, models and workers: what contributors do once. */
final class Registry {
  private static final Map<String, Integer> ROLES = Map.of("author", 1, "data", 2, "other", 3);
  private static final Map<String, Integer> DERIVATIONS =
      Map.of("fine-tune", 1, "distill", 2, "quantize", 3, "ensemble", 4);

  private Registry() {}

  static ModelRegistry models(CredenceCli root, CredenceCli.Chain chain)
      throws java.io.IOException {
    CredenceCli.Sender s = CredenceCli.Sender.of(chain, root.key());
    return ModelRegistry.load(
        chain.manifest().address(DeploymentManifest.MODEL_REGISTRY),
        chain.web3j(),
        s.tm(),
        s.gas());
  }

  static WorkerRegistry workers(CredenceCli root, CredenceCli.Chain chain)
      throws java.io.IOException {
    CredenceCli.Sender s = CredenceCli.Sender.of(chain, root.key());
    return WorkerRegistry.load(
        chain.manifest().address(DeploymentManifest.WORKER_REGISTRY),
        chain.web3j(),
        s.tm(),
        s.gas());
  }

  static String address(CommandLine line, String what, String value) {
    if (value == null || !value.matches("0x[0-9a-fA-F]{40}")) {
      throw new CommandLine.ParameterException(
          line, what + " is an address, 0x followed by 40 hex digits, got '" + value + "'");
    }
    return value;
  }

  @Command(name = "dataset", description = "Datasets.", subcommands = Dataset.Register.class)
  static final class Dataset {
    @ParentCommand CredenceCli root;

    @Command(
        name = "register",
        description = "Registers a dataset file by its SHA-256; you become its provider.")
    static final class Register implements Callable<Integer> {
      @ParentCommand Dataset dataset;

      @Parameters(
          paramLabel = "FILE",
          description = "the dataset file (hashed locally; only the hash and the URI go on-chain)")
      Path file;

      @Option(
          names = "--uri",
          required = true,
          description = "where the file can be fetched (file:, http(s):)")
      String uri;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        byte[] hash = Hashes.sha256(file);
        CredenceCli.Chain chain = dataset.root.connect();
        var tx = models(dataset.root, chain).registerDataset(hash, uri).send();
        spec.commandLine()
            .getOut()
            .println(
                "dataset "
                    + Hashes.hex(hash)
                    + " registered (transaction "
                    + tx.getTransactionHash()
                    + ")");
        return 0;
      }
    }
  }

  @Command(name = "model", description = "Models.", subcommands = Model.Register.class)
  static final class Model {
    @ParentCommand CredenceCli root;

    @Command(
        name = "register",
        description =
            "Registers an ONNX model file by its SHA-256, with its fee, quorum and contributors; you own it.")
    static final class Register implements Callable<Integer> {
      @ParentCommand Model model;

      @Parameters(paramLabel = "FILE", description = "the ONNX file")
      Path file;

      @Option(
          names = "--uri",
          required = true,
          description = "where workers fetch it (file: relative to their model root, http(s):)")
      String uri;

      @Option(names = "--fee", required = true, description = "fee per request, in wei")
      BigInteger fee;

      @Option(
          names = "--quorum",
          defaultValue = "1",
          description = "matching worker signatures a receipt needs (default 1)")
      int quorum;

      @Option(
          names = "--contributor",
          required = true,
          description =
              "ACCOUNT:ROLE:BPS[:DATASET_SHA256], repeated; roles author, data (names a dataset it provided), other; shares sum to 10000; the first takes rounding remainders")
      List<String> contributors = new ArrayList<>();

      @Option(
          names = "--parent",
          description =
              "ID:BPS[:KIND], repeated: a model this one was derived from and its share of this model's contributor pool (together at most 5000); KIND fine-tune (default), distill, quantize or ensemble")
      List<String> parents = new ArrayList<>();

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        List<ModelRegistry.Parent> parentList = new ArrayList<>();
        for (String p : parents) {
          String[] f = p.split(":");
          if (f.length < 2
              || f.length > 3
              || !f[0].matches("\\d{1,18}")
              || !f[1].matches("\\d{1,5}")
              || (f.length == 3 && !DERIVATIONS.containsKey(f[2].toLowerCase(Locale.ROOT)))) {
            throw new CommandLine.ParameterException(
                spec.commandLine(),
                "--parent is ID:BPS[:fine-tune|distill|quantize|ensemble], got '" + p + "'");
          }
          int kind = f.length == 3 ? DERIVATIONS.get(f[2].toLowerCase(Locale.ROOT)) : 1;
          parentList.add(
              new ModelRegistry.Parent(
                  new BigInteger(f[0]), BigInteger.valueOf(kind), new BigInteger(f[1])));
        }
        List<ModelRegistry.Contributor> list = new ArrayList<>();
        for (String c : contributors) {
          String[] p = c.split(":");
          if (p.length < 3
              || p.length > 4
              || !ROLES.containsKey(p[1].toLowerCase(Locale.ROOT))
              || !p[2].matches("\\d{1,5}")) {
            throw new CommandLine.ParameterException(
                spec.commandLine(),
                "--contributor is ACCOUNT:ROLE:BPS[:DATASET_SHA256], got '" + c + "'");
          }
          byte[] dataset = p.length == 4 ? Hashes.bytes32(p[3]) : new byte[32];
          list.add(
              new ModelRegistry.Contributor(
                  address(spec.commandLine(), "a contributor", p[0]),
                  BigInteger.valueOf(ROLES.get(p[1].toLowerCase(Locale.ROOT))),
                  new BigInteger(p[2]),
                  dataset));
        }
        byte[] hash = Hashes.sha256(file);
        CredenceCli.Chain chain = model.root.connect();
        ModelRegistry registry = models(model.root, chain);
        var tx =
            parentList.isEmpty()
                ? registry.registerModel(hash, uri, fee, BigInteger.valueOf(quorum), list).send()
                : registry
                    .registerDerivedModel(
                        hash, uri, fee, BigInteger.valueOf(quorum), list, parentList)
                    .send();
        long id = ModelRegistry.getModelRegisteredEvents(tx).get(0).modelId.longValueExact();
        spec.commandLine()
            .getOut()
            .println(
                "model "
                    + id
                    + " registered: sha256 "
                    + Hashes.hex(hash)
                    + " (transaction "
                    + tx.getTransactionHash()
                    + ")");
        return 0;
      }
    }
  }

  @Command(
      name = "worker",
      description = "Workers: you are the operator; the signing key may be another.",
      subcommands = {Worker.Register.class, Worker.Unbond.class, Worker.Withdraw.class})
  static final class Worker {
    @ParentCommand CredenceCli root;

    @Command(
        name = "register",
        description =
            "Registers a worker signing key with a stake. The signing key proves it agrees: from $CREDENCE_WORKER_KEY_HEX or --worker-keystore with $CREDENCE_WORKER_KEY_PASSWORD.")
    static final class Register implements Callable<Integer> {
      @ParentCommand Worker worker;

      @Option(names = "--stake", required = true, description = "wei to stake")
      BigInteger stake;

      @Option(
          names = "--worker-keystore",
          description = "the worker's signing key as a web3 keystore")
      Path keystore;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        Map<String, String> env = worker.root.environment();
        if (keystore == null && env.get("CREDENCE_WORKER_KEY_HEX") == null) {
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              "the worker's signing key: set CREDENCE_WORKER_KEY_HEX, or give --worker-keystore with CREDENCE_WORKER_KEY_PASSWORD");
        }
        Credentials signing =
            SigningKeys.load(
                "worker",
                Optional.ofNullable(env.get("CREDENCE_WORKER_KEY_HEX")),
                Optional.ofNullable(keystore).map(Path::toString),
                Optional.ofNullable(env.get("CREDENCE_WORKER_KEY_PASSWORD")),
                "CREDENCE_WORKER_KEY",
                "--worker-keystore");
        Credentials operator = worker.root.key();
        CredenceCli.Chain chain = worker.root.connect();
        Eip712Domain domain =
            Eip712Domain.workerRegistry(
                chain.chainId(), chain.manifest().address(DeploymentManifest.WORKER_REGISTRY));
        byte[] proof =
            WorkerKeyProof.sign(new ReceiptSigner(signing), domain, operator.getAddress());
        var tx = workers(worker.root, chain).register(signing.getAddress(), proof, stake).send();
        PrintWriter out = spec.commandLine().getOut();
        out.println(
            "worker "
                + signing.getAddress().toLowerCase(Locale.ROOT)
                + " registered for operator "
                + operator.getAddress().toLowerCase(Locale.ROOT)
                + " with "
                + stake
                + " wei staked (transaction "
                + tx.getTransactionHash()
                + ")");
        return 0;
      }
    }

    @Command(
        name = "unbond",
        description =
            "Starts unbonding part of a worker's stake (withdrawable after the registry's delay).")
    static final class Unbond implements Callable<Integer> {
      @ParentCommand Worker worker;

      @Parameters(paramLabel = "SIGNER")
      String signer;

      @Option(names = "--amount", required = true, description = "wei to unbond")
      BigInteger amount;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        address(spec.commandLine(), "SIGNER", signer);
        CredenceCli.Chain chain = worker.root.connect();
        var tx = workers(worker.root, chain).unbond(signer, amount).send();
        spec.commandLine()
            .getOut()
            .println(
                "unbonding "
                    + amount
                    + " wei of "
                    + signer.toLowerCase(Locale.ROOT)
                    + " (transaction "
                    + tx.getTransactionHash()
                    + ")");
        return 0;
      }
    }

    @Command(
        name = "withdraw",
        description = "Withdraws a worker's unbonded stake once the delay has passed.")
    static final class Withdraw implements Callable<Integer> {
      @ParentCommand Worker worker;

      @Parameters(paramLabel = "SIGNER")
      String signer;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        address(spec.commandLine(), "SIGNER", signer);
        CredenceCli.Chain chain = worker.root.connect();
        var tx = workers(worker.root, chain).withdraw(signer).send();
        var events = WorkerRegistry.getStakeWithdrawnEvents(tx);
        spec.commandLine()
            .getOut()
            .println(
                "withdrew "
                    + (events.isEmpty() ? BigInteger.ZERO : events.get(0).amount)
                    + " wei of "
                    + signer.toLowerCase(Locale.ROOT)
                    + " (transaction "
                    + tx.getTransactionHash()
                    + ")");
        return 0;
      }
    }
  }
}
