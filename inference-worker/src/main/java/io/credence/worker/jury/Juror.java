package io.credence.worker.jury;

import io.credence.protocol.Hashes;
import io.credence.protocol.dispute.Tolerance;
import io.credence.protocol.messages.JuryMessage;
import io.credence.protocol.messages.VerdictMessage;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.Verdict;
import io.credence.worker.exec.JobFailure;
import io.credence.worker.exec.ModelRunner;
import io.credence.worker.lying.Liar;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The juror role: when the DisputeCourt draws this worker's key for a disputed answer, the worker
 * re-runs the request exactly as it runs jobs (same model check, same engine, same batching, and,
 * for a worker with the lying switch on, the same lie), compares its own output with the settled
 * one under the model's tolerance, and signs a {@link Verdict} under the hub's EIP-712 domain. The
 * same message always gives the same signed verdict (deterministic runs, RFC 6979 signatures).
 *
 * <p>A message naming other jurors is none of its business. A message it cannot trust is a {@link
 * BadJury}. A request its model cannot run gives no verdict: an absent juror forgoes only its pay.
 */
public class Juror {
  private static final Logger LOG = Logger.getLogger(Juror.class);

  private final long chainId;
  private final String hub;
  private final Eip712Domain domain;
  private final ReceiptSigner signer;
  private final ModelRunner runner;
  private final Liar liar;

  public Juror(long chainId, String hub, ReceiptSigner signer, ModelRunner runner, Liar liar) {
    this.chainId = chainId;
    this.hub = hub;
    this.domain = Eip712Domain.credence(chainId, hub);
    this.signer = signer;
    this.runner = runner;
    this.liar = liar;
  }

  public String signerAddress() {
    return signer.address();
  }

  /** Whether {@code jury} names this worker's key among its jurors (case-insensitive). */
  public boolean isJuror(JuryMessage jury) {
    List<String> jurors = jury.jurors();
    return jurors != null && jurors.stream().anyMatch(signer.address()::equalsIgnoreCase);
  }

  /**
   * This worker's signed verdict on {@code jury}; empty when it is not one of the jurors, or when
   * the model cannot run the input.
   *
   * @throws BadJury when the message names this worker but cannot be judged
   */
  public Optional<VerdictMessage> judge(JuryMessage jury) {
    if (!isJuror(jury)) {
      return Optional.empty();
    }
    String what = "dispute " + jury.disputeId() + " (request " + jury.requestId() + ")";
    if (jury.chainId() != chainId || jury.hub() == null || !jury.hub().equalsIgnoreCase(hub)) {
      throw new BadJury(
          what
              + " is for hub "
              + jury.hub()
              + " on chain "
              + jury.chainId()
              + "; this worker signs for hub "
              + hub
              + " on chain "
              + chainId);
    }
    if (jury.disputeId() < 0 || jury.requestId() < 0) {
      throw new BadJury(what + ": ids must not be negative");
    }
    Tolerance tolerance;
    try {
      tolerance = new Tolerance(jury.toleranceMode(), jury.toleranceUlps(), jury.toleranceAbsE9());
    } catch (IllegalArgumentException e) {
      throw new BadJury(what + ": " + e.getMessage());
    }
    byte[] modelHash = bytes32(jury.modelHash(), "modelHash", what);
    byte[] inputHash = bytes32(jury.inputHash(), "inputHash", what);
    byte[] outputHash = bytes32(jury.outputHash(), "outputHash", what);
    byte[] input = base64(jury.input(), "input", what);
    byte[] settled = base64(jury.output(), "output", what);
    if (!Arrays.equals(Hashes.keccak256(input), inputHash)) {
      throw new BadJury(what + ": input does not hash to inputHash " + jury.inputHash());
    }
    if (!Arrays.equals(Hashes.keccak256(settled), outputHash)) {
      throw new BadJury(what + ": output does not hash to outputHash " + jury.outputHash());
    }

    byte[] mine;
    try {
      mine =
          liar.apply(
              jury.requestId(), runner.run(jury.modelUri(), modelHash, input, new HashMap<>()));
    } catch (JobFailure f) {
      LOG.warnf(
          "juror %s cannot re-run %s (%s: %s); no verdict",
          signer.address(), what, f.reason(), f.detail());
      return Optional.empty();
    }
    boolean agrees = tolerance.agrees(settled, mine);
    byte[] mineHash = Hashes.keccak256(mine);
    Verdict verdict =
        new Verdict(
            BigInteger.valueOf(jury.disputeId()),
            BigInteger.valueOf(jury.requestId()),
            outputHash,
            mineHash,
            agrees);
    byte[] signature = signer.sign(verdict, domain);
    LOG.infof(
        "juror %s on %s: %s",
        signer.address(),
        what,
        agrees ? "agrees" : "disagrees, own output " + Hashes.hex(mineHash));
    return Optional.of(
        new VerdictMessage(
            jury.disputeId(),
            jury.requestId(),
            signer.address(),
            Hashes.hex(outputHash),
            Hashes.hex(mineHash),
            agrees,
            Hashes.hex(signature)));
  }

  private static byte[] bytes32(String hex, String field, String what) {
    try {
      return Hashes.bytes32(hex);
    } catch (RuntimeException e) {
      throw new BadJury(what + ": " + field + " is not 32 bytes of hex: " + hex);
    }
  }

  private static byte[] base64(String b64, String field, String what) {
    try {
      return Base64.getDecoder().decode(b64 == null ? "" : b64);
    } catch (IllegalArgumentException e) {
      throw new BadJury(what + ": " + field + " is not base64: " + e.getMessage());
    }
  }
}
