package io.credence.cli;

import static io.credence.cli.CredenceCli.requestId;

import io.credence.contracts.DisputeCourt;
import io.credence.protocol.Hashes;
import io.credence.protocol.dispute.Tolerance;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code credence challenge}: re-runs a settled answer's model locally and, when the outputs
 * disagree beyond the model's tolerance, challenges the answer in the DisputeCourt with a bond.
 * Everything the court checks is checked first (the model file, the batch record, the window,
 * disputes already open or decided), so a refused challenge sends nothing.
 */
@Command(
    name = "challenge",
    description =
        "Re-runs a settled answer's model locally on its input, as a worker does, and challenges the answer in the"
            + " DisputeCourt (with a bond) when the outputs disagree beyond the model's tolerance. Nothing is sent when"
            + " they agree, unless --force.")
final class Challenge implements Callable<Integer> {
  @ParentCommand CredenceCli root;

  @Parameters(paramLabel = "REQUEST_ID", description = "the request whose answer to challenge")
  String id;

  @Option(
      names = "--model-file",
      required = true,
      description = "a local copy of the model (checked against the registered SHA-256)")
  Path modelFile;

  @Option(
      names = "--force",
      description = "challenge even when your output agrees with the settled one")
  boolean force;

  @Option(
      names = "--bond",
      paramLabel = "WEI",
      description = "the bond, in wei (default: the court's required bond for the request's fee)")
  BigInteger bond;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    long requestId = requestId(spec.commandLine(), id);
    if (bond != null && bond.signum() < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--bond must not be negative");
    }
    if (!Files.isRegularFile(modelFile)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--model-file: no such file " + modelFile);
    }
    PrintWriter out = spec.commandLine().getOut();
    CredenceCli.Chain chain = root.connect();
    if (!chain.hasCourt()) {
      throw new Court.Refused("this deployment has no DisputeCourt");
    }
    Court.Settled answer = Court.settled(chain, requestId);
    var requested = answer.requested();
    out.println(
        "request      "
            + requestId
            + " (model "
            + requested.modelId
            + ", requester "
            + requested.requester.toLowerCase(Locale.ROOT)
            + ", fee "
            + requested.fee
            + " wei)");

    byte[] registered = chain.hub().modelTerms(requested.modelId).send().component1();
    byte[] sha = Hashes.sha256(modelFile);
    if (!Arrays.equals(sha, registered)) {
      throw new Court.Refused(
          "the model file "
              + modelFile
              + " is not model "
              + requested.modelId
              + ": its sha256 "
              + Hashes.hex(sha)
              + " is not the registered "
              + Hashes.hex(registered));
    }
    out.println("model file   " + modelFile + ": sha256 matches the registered model");

    Court.Batch batch = Court.batchOf(chain, answer);
    out.println(
        "settled      block "
            + batch.block()
            + " at "
            + Court.utc(batch.time())
            + ", answer "
            + (batch.index() + 1)
            + " of "
            + batch.leaves().size()
            + " in batch "
            + batch.batchId()
            + " (the hub's record matches)");

    DisputeCourt court = chain.court();
    BigInteger rid = BigInteger.valueOf(requestId);
    BigInteger fault = court.faultOf(rid).send();
    if (fault.signum() != 0) {
      throw new Court.Refused(
          "request "
              + requestId
              + "'s answer was already proven wrong (dispute "
              + fault
              + "): nothing left to challenge");
    }
    BigInteger open = court.openDisputeOf(rid).send();
    if (open.signum() != 0) {
      throw new Court.Refused(
          "request "
              + requestId
              + "'s answer is already disputed (dispute "
              + open
              + "): follow it with credence dispute show "
              + open);
    }
    DisputeCourt.Terms terms = court.termsOf(requested.modelId).send();
    long closesAt = batch.time() + terms.challengeWindow.longValueExact();
    if (chain.latestTime() > closesAt) {
      throw new Court.Refused(
          "the challenge window of request " + requestId + " closed at " + Court.utc(closesAt));
    }
    out.println("window       challengeable until " + Court.utc(closesAt));

    byte[] settledOutput = answer.settled().output;
    byte[] mine;
    try {
      mine = LocalModel.run(modelFile, requested.input);
    } catch (LocalModel.CannotRun e) {
      throw new Court.Refused("cannot re-run request " + requestId + ": " + e.getMessage());
    }
    Tolerance tolerance = Court.tolerance(terms);
    boolean agrees = tolerance.agrees(settledOutput, mine);
    out.println(
        "settled      output hash "
            + Hashes.hex(Hashes.keccak256(settledOutput))
            + " ("
            + settledOutput.length
            + " bytes)");
    out.println(
        "yours        output hash "
            + Hashes.hex(Hashes.keccak256(mine))
            + " ("
            + mine.length
            + " bytes)");
    out.println(
        "tolerance    " + Court.describe(tolerance.mode(), tolerance.ulps(), tolerance.absE9()));
    out.println(
        "verdict      "
            + (Arrays.equals(settledOutput, mine)
                ? "the outputs agree: they are identical"
                : agrees
                    ? "the outputs agree within the tolerance"
                    : "the outputs DISAGREE: the settled answer is wrong"));
    if (agrees && !force) {
      out.println(
          "not challenged: nothing was sent (--force challenges anyway, at the risk of the bond)");
      return 0;
    }
    if (agrees) {
      out.println(
          "challenging anyway (--force): a jury that agrees with the answer pays itself and the"
              + " answer's workers from your bond");
    }
    BigInteger required = court.requiredBond(requested.fee).send();
    BigInteger value = bond == null ? required : bond;
    if (value.compareTo(required) < 0) {
      throw new Court.Refused(
          "a bond of " + value + " wei is below the " + required + " wei the court requires");
    }
    var key = root.key();
    var tx =
        Court.as(chain, key)
            .challenge(
                batch.toCourt(), BigInteger.valueOf(batch.index()), batch.leaf().toCourt(), value)
            .send();
    var opened = DisputeCourt.getDisputeOpenedEvents(tx).get(0);
    BigInteger seedBlock = chain.court().dispute(opened.disputeId).send().seedBlock;
    out.println(
        "dispute "
            + opened.disputeId
            + " opened: "
            + value
            + " wei bonded by "
            + key.getAddress().toLowerCase(Locale.ROOT)
            + " (transaction "
            + tx.getTransactionHash()
            + ")");
    out.println(
        "follow it:   credence dispute show "
            + opened.disputeId
            + " (the jury is drawn from the hash of block "
            + seedBlock
            + "; once it is mined anyone may call drawJury("
            + opened.disputeId
            + "))");
    return 0;
  }
}
