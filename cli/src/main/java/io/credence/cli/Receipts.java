package io.credence.cli;

import static io.credence.cli.CredenceCli.FAILED;
import static io.credence.cli.CredenceCli.requestId;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.WorkerRegistry;
import io.credence.protocol.Hashes;
import io.credence.protocol.deploy.DeploymentManifest;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.receipt.ReceiptSigner;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.Log;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code credence receipt verify}: a settled receipt checked against the chain alone. */
final class Receipts {
  private Receipts() {}

  @Command(name = "receipt", description = "Receipts.", subcommands = Receipt.Verify.class)
  static final class Receipt {
    @ParentCommand CredenceCli root;

    @Command(
        name = "verify",
        description =
            "Checks a settled receipt against the chain alone, without any Credence service: the settlement event, the EIP-712"
                + " digest of every proof, its signer recovered and active in the worker registry when the receipt settled, the"
                + " quorum, the output against its hash, its audits and challenges in the DisputeCourt (an answer a jury"
                + " proved wrong fails) and, with --model-file, the model file against the registered SHA-256.")
    static final class Verify implements Callable<Integer> {
      @ParentCommand Receipt receipt;

      @Parameters(paramLabel = "REQUEST_ID", description = "the request whose receipt to check")
      String id;

      @Option(
          names = "--model-file",
          description = "a local copy of the model, to check against the registered SHA-256")
      Path modelFile;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        long requestId = requestId(spec.commandLine(), id);
        PrintWriter out = spec.commandLine().getOut();
        CredenceCli.Chain chain = receipt.root.connect();
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
                  : chain.log(InferenceHub.INFERENCEEXPIRED_EVENT, requestId).isPresent()
                      ? "expired and refunded"
                      : "pending";
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
        out.println(
            "request      "
                + requestId
                + " (model "
                + requested.modelId
                + ", requester "
                + requested.requester.toLowerCase(Locale.ROOT)
                + ")");
        out.println(
            "settled in   block "
                + block
                + ", transaction "
                + settledLog.get().getTransactionHash());
        out.println("model hash   " + Hashes.hex(modelHash) + " (quorum " + quorum + ")");
        out.println("input hash   " + Hashes.hex(requested.inputHash));
        out.println(
            "output hash  "
                + Hashes.hex(outputHash)
                + " = keccak256 of the "
                + settled.output.length
                + "-byte output");
        byte[] proofs = settled.proofs;
        if (proofs.length != quorum * ReceiptProofs.PROOF_BYTES) {
          problems.add(
              "the receipt carries "
                  + proofs.length / ReceiptProofs.PROOF_BYTES
                  + " proofs; the model's quorum is "
                  + quorum);
        }
        Eip712Domain domain =
            Eip712Domain.credence(
                chain.chainId(), chain.manifest().address(DeploymentManifest.INFERENCE_HUB));
        WorkerRegistry workers = chain.workers();
        // the registry as it was when the receipt settled
        workers.setDefaultBlockParameter(
            DefaultBlockParameter.valueOf(BigInteger.valueOf(block - 1)));
        String previous = "";
        for (int k = 0; k < proofs.length / ReceiptProofs.PROOF_BYTES; k++) {
          byte[] signature = ReceiptProofs.signature(proofs, k);
          long executedAt = ReceiptProofs.executedAt(proofs, k);
          byte[] digest =
              new InferenceReceipt(
                      settled.requestId, modelHash, requested.inputHash, outputHash, executedAt)
                  .digest(domain);
          String signer;
          try {
            signer = ReceiptSigner.recover(digest, signature).toLowerCase(Locale.ROOT);
          } catch (SignatureException e) {
            problems.add("proof " + k + " does not recover: " + e.getMessage());
            continue;
          }
          boolean active = workers.isActive(signer).send();
          out.println(
              "signer "
                  + k
                  + "     "
                  + signer
                  + " (executed at "
                  + executedAt
                  + ", "
                  + (active ? "an active worker" : "NOT an active worker")
                  + " at block "
                  + (block - 1)
                  + ")");
          if (!active) {
            problems.add("signer " + signer + " was not an active worker");
          }
          if (signer.compareTo(previous) <= 0) {
            problems.add("signers are not distinct and ascending");
          }
          previous = signer;
        }
        if (chain.hasCourt()) {
          disputes(chain, requestId, requested.modelId, block, out, problems);
        }
        if (modelFile != null) {
          byte[] sha = Hashes.sha256(modelFile);
          boolean same = Arrays.equals(sha, modelHash);
          out.println(
              "model file   "
                  + modelFile
                  + ": sha256 "
                  + Hashes.hex(sha)
                  + (same ? " matches" : " DOES NOT match"));
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

      /**
       * The answer's audits and challenges (the court's DisputeOpened logs of the request), or
       * until when it can be challenged; an answer a jury proved wrong is a problem.
       */
      private static void disputes(
          CredenceCli.Chain chain,
          long requestId,
          BigInteger modelId,
          long block,
          PrintWriter out,
          List<String> problems)
          throws Exception {
        DisputeCourt court = chain.court();
        List<Long> ids = Court.disputesOf(chain, requestId);
        if (ids.isEmpty()) {
          long closesAt =
              chain.blockTime(block)
                  + court.termsOf(modelId).send().challengeWindow.longValueExact();
          out.println(
              "disputes     not disputed ("
                  + (chain.latestTime() > closesAt
                      ? "the challenge window closed at "
                      : "challengeable until ")
                  + Court.utc(closesAt)
                  + ")");
        }
        String label = "disputes     ";
        for (long id : ids) {
          out.println(label + Court.summary(id, court.dispute(BigInteger.valueOf(id)).send()));
          label = " ".repeat(label.length());
        }
        BigInteger fault = court.faultOf(BigInteger.valueOf(requestId)).send();
        if (fault.signum() != 0) {
          problems.add("a jury proved this answer wrong (dispute " + fault + ")");
        }
      }
    }
  }
}
