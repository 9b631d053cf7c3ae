package io.credence.cli;

import static io.credence.cli.CredenceCli.FAILED;

import io.credence.contracts.DisputeCourt;
import io.credence.protocol.Hashes;
import io.credence.protocol.dispute.DisputeState;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code credence dispute show}: a dispute in the DisputeCourt, from the chain. */
final class Disputes {
  private Disputes() {}

  @Command(name = "dispute", description = "Disputes.", subcommands = Dispute.Show.class)
  static final class Dispute {
    @ParentCommand CredenceCli root;

    @Command(
        name = "show",
        description =
            "A dispute (an audit or a challenge) from the DisputeCourt: the answer, the bond, the jury and each juror's"
                + " vote, the deadline and the outcome.")
    static final class Show implements Callable<Integer> {
      @ParentCommand Dispute dispute;

      @Parameters(paramLabel = "DISPUTE_ID")
      String id;

      @CommandLine.Spec CommandLine.Model.CommandSpec spec;

      @Override
      public Integer call() throws Exception {
        long disputeId = disputeId(spec.commandLine(), id);
        PrintWriter out = spec.commandLine().getOut();
        CredenceCli.Chain chain = dispute.root.connect();
        if (!chain.hasCourt()) {
          throw new Court.Refused("this deployment has no DisputeCourt");
        }
        DisputeCourt.Dispute d = chain.court().dispute(BigInteger.valueOf(disputeId)).send();
        if (d.state.signum() == 0) {
          out.println("dispute " + disputeId + ": not found in this court");
          return FAILED;
        }
        int kind = d.kind.intValueExact();
        boolean audit = kind == DisputeState.KIND_AUDIT;
        DisputeState state = DisputeState.ofCode(d.state.intValueExact());
        out.println("dispute      " + disputeId + " (" + DisputeState.kindName(kind) + ")");
        out.println("state        " + Court.stateName(state));
        out.println(
            "request      "
                + d.requestId
                + " (model "
                + d.modelId
                + ", requester "
                + d.requester.toLowerCase(Locale.ROOT)
                + ", fee "
                + d.fee
                + " wei)");
        out.println("batch        " + d.batchId);
        out.println(
            (audit ? "drawn by     " : "challenger   ") + d.challenger.toLowerCase(Locale.ROOT));
        if (!audit) {
          out.println("bond         " + d.bond + " wei");
        }
        out.println("output hash  " + Hashes.hex(d.outputHash) + " (the settled answer)");
        out.println(
            "tolerance    "
                + Court.describe(
                    d.toleranceMode.intValueExact(),
                    d.toleranceUlps.longValueExact(),
                    d.toleranceAbsE9.longValueExact()));
        for (String signer : d.signers) {
          out.println("signer       " + signer.toLowerCase(Locale.ROOT));
        }
        long voted = d.voted.longValueExact();
        long disagreed = d.disagreed.longValueExact();
        int jurors = d.jurors.size();
        if (state == DisputeState.AWAITING_JURY) {
          out.println(
              "jury         not drawn yet: "
                  + d.jurySize
                  + " seats, drawn from the hash of block "
                  + d.seedBlock
                  + " (anyone may call drawJury("
                  + disputeId
                  + ") once it is mined)");
        } else {
          out.println(
              "jury         "
                  + jurors
                  + " of "
                  + d.jurySize
                  + " seats filled, drawn from the hash of block "
                  + d.seedBlock
                  + (jurors == 0
                      ? ""
                      : "; verdicts due by " + Court.utc(d.verdictDeadline.longValueExact())));
        }
        for (int i = 0; i < jurors; i++) {
          String vote =
              (voted >> i & 1) == 0
                  ? "has not voted"
                  : (disagreed >> i & 1) == 1 ? "voted: disagrees" : "voted: agrees";
          out.println(
              "juror " + i + "      " + d.jurors.get(i).toLowerCase(Locale.ROOT) + " " + vote);
        }
        if (disagreed != 0) {
          out.println(
              "jury output  "
                  + Hashes.hex(d.faultOutputHash)
                  + " (the first disagreeing juror's output hash)");
        }
        out.println("outcome      " + outcome(chain, disputeId, d, state, audit));
        return 0;
      }

      private static String outcome(
          CredenceCli.Chain chain,
          long disputeId,
          DisputeCourt.Dispute d,
          DisputeState state,
          boolean audit)
          throws java.io.IOException {
        int jurors = d.jurors.size();
        int votes = Long.bitCount(d.voted.longValueExact());
        return switch (state) {
          case AWAITING_JURY -> "pending: the jury is not drawn yet";
          case VOTING ->
              "pending: "
                  + votes
                  + " of "
                  + jurors
                  + " verdicts in; it resolves when every juror has voted, or by resolve("
                  + disputeId
                  + ") after "
                  + Court.utc(d.verdictDeadline.longValueExact());
          case FAULT_PROVEN -> {
            Optional<DisputeCourt.FaultProvenEventResponse> f = Court.faultProven(chain, disputeId);
            yield "fault proven: the answer is wrong"
                + f.map(e ->
                        "; signers slashed "
                            + e.slashed
                            + " wei, requester refunded "
                            + e.refund
                            + " wei, "
                            + (audit ? "whoever drew the audit" : "challenger")
                            + " rewarded "
                            + e.reward
                            + " wei"
                            + (audit ? "" : " (and its bond returned)"))
                    .orElse("");
          }
          case UPHELD ->
              "upheld: the answer stands"
                  + (audit || d.bond.signum() == 0
                      ? ""
                      : "; the bond paid the jurors who agreed and the answer's workers");
          case NO_MAJORITY ->
              "no majority"
                  + (jurors == 0 ? " (no eligible juror)" : "")
                  + ": nothing slashed"
                  + (audit || d.bond.signum() == 0
                      ? ""
                      : "; the bond returned less the pay of the jurors who voted");
        };
      }

      private static long disputeId(CommandLine line, String value) {
        try {
          long id = Long.parseLong(value);
          if (id > 0) {
            return id;
          }
        } catch (NumberFormatException e) {
          // below
        }
        throw new CommandLine.ParameterException(
            line, "a dispute id is a positive integer, got '" + value + "'");
      }
    }
  }
}
