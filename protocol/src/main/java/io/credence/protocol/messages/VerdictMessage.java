package io.credence.protocol.messages;

/**
 * A juror's signed verdict ({@code credence.verdicts.v1}, key: disputeId), for the relayer to
 * submit in batches.
 *
 * @param disputeId the court's dispute id
 * @param requestId the disputed request
 * @param juror the juror's key
 * @param outputHash keccak256 of the settled output, as signed
 * @param jurorOutputHash keccak256 of the juror's own output
 * @param agrees whether the settled output matches the juror's within the model's tolerance
 * @param signature 65-byte EIP-712 signature of the Verdict, 0x-hex
 */
public record VerdictMessage(
    long disputeId,
    long requestId,
    String juror,
    String outputHash,
    String jurorOutputHash,
    boolean agrees,
    String signature) {}
