package io.credence.cli;

import static io.credence.cli.CredenceCli.FAILED;
import static io.credence.cli.CredenceCli.requestId;

import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.protocol.Hashes;
import io.credence.protocol.deploy.DeploymentManifest;
import io.credence.protocol.model.ModelCard;
import io.credence.protocol.model.TensorLabels;
import io.credence.protocol.settlement.RequestState;
import io.credence.protocol.tensor.TensorFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.tx.gas.DefaultGasProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code credence request show}: a request, how it ended, and its tensors, from the chain. */
final class Requests {
  private Requests() {}

  @Command(name = "request", description = "Requests.", subcommands = Request.Show.class)
  static final class Request {
    @ParentCommand CredenceCli root;

    @Command(
        name = "show",
        description =
            "A request and how it ended, from the chain, with its input and output decoded as tensors; labelled (columns,"
                + " classes) from the model card next to the model file (--model-file, else the model's registered file: URI).")
    static final class Show implements Callable<Integer> {
      @ParentCommand Request request;

      @Parameters(paramLabel = "REQUEST_ID")
      String id;

      @Option(
          names = "--model-file",
          description =
              "a local copy of the model: its card (the same name with .json) labels the tensors")
      Path modelFile;

      @Option(
          names = "--model-root",
          description =
              "where the model's relative file: URI is resolved, as the workers' file root (default: $CREDENCE_MODEL_ROOT or the current directory)",
          defaultValue = "${env:CREDENCE_MODEL_ROOT:-.}")
      Path modelRoot;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        long requestId = requestId(spec.commandLine(), id);
        CredenceCli.Chain chain = request.root.connect();
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
        out.println(
            "deadline   "
                + e.deadline
                + " ("
                + java.time.Instant.ofEpochSecond(e.deadline.longValueExact())
                + ")");
        out.println(
            "requested  block "
                + requested.get().getBlockNumber()
                + ", transaction "
                + requested.get().getTransactionHash());
        ModelCard card = card(chain, e.modelId);
        print(out, "input", e.input, card, TensorLabels.Side.INPUT);
        Optional<Log> settled = chain.log(InferenceHub.INFERENCESETTLED_EVENT, requestId);
        Optional<Log> failed =
            settled.isPresent()
                ? Optional.empty()
                : chain.log(InferenceHub.INFERENCEFAILED_EVENT, requestId);
        Optional<Log> expired =
            settled.isPresent() || failed.isPresent()
                ? Optional.empty()
                : chain.log(InferenceHub.INFERENCEEXPIRED_EVENT, requestId);
        if (settled.isPresent()) {
          var s = InferenceHub.getInferenceSettledEventFromLog(settled.get());
          out.println(
              "state      "
                  + RequestState.SETTLED
                  + " in block "
                  + settled.get().getBlockNumber()
                  + ", transaction "
                  + settled.get().getTransactionHash());
          print(out, "output", s.output, card, TensorLabels.Side.OUTPUT);
        } else if (failed.isPresent()) {
          var f = InferenceHub.getInferenceFailedEventFromLog(failed.get());
          out.println(
              "state      "
                  + RequestState.FAILED
                  + " (reason "
                  + f.reason
                  + "), refunded "
                  + f.refund
                  + " wei in block "
                  + failed.get().getBlockNumber());
        } else if (expired.isPresent()) {
          out.println(
              "state      "
                  + RequestState.EXPIRED
                  + ", refunded in block "
                  + expired.get().getBlockNumber());
        } else {
          out.println("state      " + RequestState.PENDING);
        }
        return 0;
      }

      /** The bytes as tensors, each under {@code what}; as hex when they are not a tensor list. */
      private static void print(
          PrintWriter out, String what, byte[] bytes, ModelCard card, TensorLabels.Side side) {
        List<TensorLabels.Labelled> tensors;
        try {
          tensors = TensorLabels.decode(bytes, card, side);
        } catch (TensorFormatException e) {
          out.println(
              String.format(
                  "%-10s %s (%d bytes, not tensors: %s)",
                  what, Hashes.hex(bytes), bytes.length, e.getMessage()));
          return;
        }
        for (String line : TensorLabels.format(tensors).split("\n")) {
          out.println(String.format("%-10s %s", what, line));
        }
      }

      /**
       * The model card: next to {@code --model-file}, else next to the model's registered {@code
       * file:} URI. Without a card the tensors print unlabelled; a card that cannot be read is said
       * on standard error.
       */
      private ModelCard card(CredenceCli.Chain chain, BigInteger modelId) throws IOException {
        Optional<Path> card =
            modelFile != null
                ? ModelCard.cardPath(modelFile.toAbsolutePath().toUri().toString(), modelRoot)
                : registeredUri(chain, modelId).flatMap(uri -> ModelCard.cardPath(uri, modelRoot));
        if (card.isEmpty()) {
          return ModelCard.NONE;
        }
        try {
          return ModelCard.read(card.get()).orElse(ModelCard.NONE);
        } catch (IOException | IllegalArgumentException e) {
          spec.commandLine()
              .getErr()
              .println("credence: the tensors are not labelled: " + e.getMessage());
          return ModelCard.NONE;
        }
      }

      /** The model's registered URI; empty when the registry cannot say. */
      private Optional<String> registeredUri(CredenceCli.Chain chain, BigInteger modelId) {
        ModelRegistry registry =
            ModelRegistry.load(
                chain.manifest().address(DeploymentManifest.MODEL_REGISTRY),
                chain.web3j(),
                io.credence.protocol.chain.CheckedTransactionManager.readonly(chain.web3j(), null),
                new DefaultGasProvider());
        try {
          return Optional.ofNullable(registry.model(modelId).send().uri);
        } catch (Exception e) {
          return Optional.empty(); // labels are a courtesy: the request is shown without them
        }
      }
    }
  }
}
