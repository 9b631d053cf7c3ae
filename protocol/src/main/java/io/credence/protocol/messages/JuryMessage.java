package io.credence.protocol.messages;

import java.util.List;

/**
 * A disputed answer for its jury to re-run ({@code credence.juries.v1}, key: disputeId). Every
 * worker reads every jury job (each with a consumer group of its own) and acts on those naming its
 * key among the jurors: a jury is a set of particular keys, wherever they run. Hashes and addresses
 * are 0x-hex; {@code input} and {@code output} are canonical tensor encodings in base64.
 *
 * @param disputeId the court's dispute id
 * @param requestId the disputed request
 * @param chainId the chain of the hub
 * @param hub the InferenceHub's address (the EIP-712 verifying contract of verdicts)
 * @param modelId the registered model
 * @param modelHash SHA-256 of the model file, as registered
 * @param modelUri where to fetch the model file
 * @param input the request's input, base64
 * @param inputHash keccak256 of the input bytes
 * @param output the settled output, base64
 * @param outputHash keccak256 of the settled output
 * @param jurors the drawn jurors' keys
 * @param toleranceMode 1 exact, 2 arg-max, 3 close
 * @param toleranceUlps units in the last place a float may differ by (close)
 * @param toleranceAbsE9 absolute difference a float may have, in units of 1e-9 (close)
 * @param verdictDeadline unix seconds after which verdicts are no longer recorded
 */
public record JuryMessage(
    long disputeId,
    long requestId,
    long chainId,
    String hub,
    long modelId,
    String modelHash,
    String modelUri,
    String input,
    String inputHash,
    String output,
    String outputHash,
    List<String> jurors,
    int toleranceMode,
    long toleranceUlps,
    long toleranceAbsE9,
    long verdictDeadline) {}
