package io.credence.protocol.messages;

/**
 * A request for workers to run ({@code credence.jobs.v1}, key: modelId). Hashes and addresses are
 * 0x-hex; {@code input} is the canonical tensor encoding in base64.
 *
 * @param requestId the hub's request id
 * @param chainId the chain of the hub
 * @param hub the InferenceHub's address (the EIP-712 verifying contract)
 * @param modelId the registered model
 * @param modelHash SHA-256 of the model file, as registered
 * @param modelUri where to fetch the model file
 * @param input canonical tensor encoding, base64
 * @param inputHash keccak256 of the input bytes
 * @param quorum how many workers must sign the same output
 * @param deadline unix seconds after which the request can be expired
 * @param attempt 1 for the first dispatch, then 2, 3… on re-dispatch
 */
public record JobMessage(
    long requestId,
    long chainId,
    String hub,
    long modelId,
    String modelHash,
    String modelUri,
    String input,
    String inputHash,
    int quorum,
    long deadline,
    int attempt) {}
