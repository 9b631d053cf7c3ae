package io.credence.protocol.receipt;

import static io.credence.protocol.Hashes.keccak256;

import io.credence.protocol.Hashes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a worker signs when it answered a request: {@code InferenceReceipt(uint256 requestId,
 * bytes32 modelHash,bytes32 inputHash,bytes32 outputHash,uint64 executedAt)}.
 */
public final class InferenceReceipt {
  public static final String TYPE =
      "InferenceReceipt(uint256 requestId,bytes32 modelHash,bytes32 inputHash,bytes32 outputHash,uint64 executedAt)";
  private static final byte[] TYPE_HASH = keccak256(TYPE.getBytes(StandardCharsets.UTF_8));

  private final BigInteger requestId;
  private final byte[] modelHash;
  private final byte[] inputHash;
  private final byte[] outputHash;
  private final long executedAt;

  /**
   * @param executedAt unix seconds when the worker ran the model
   */
  public InferenceReceipt(
      BigInteger requestId,
      byte[] modelHash,
      byte[] inputHash,
      byte[] outputHash,
      long executedAt) {
    this.requestId = Objects.requireNonNull(requestId, "requestId");
    this.modelHash = Eip712.bytes32(modelHash, "modelHash").clone();
    this.inputHash = Eip712.bytes32(inputHash, "inputHash").clone();
    this.outputHash = Eip712.bytes32(outputHash, "outputHash").clone();
    if (executedAt < 0) {
      throw new IllegalArgumentException("executedAt must be unix seconds, got " + executedAt);
    }
    this.executedAt = executedAt;
  }

  public byte[] structHash() {
    return keccak256(
        Eip712.concat(
            TYPE_HASH,
            Eip712.uint(requestId),
            modelHash,
            inputHash,
            outputHash,
            Eip712.uint(executedAt)));
  }

  /** The digest the hub verifies: EIP-712 under {@code domain}. */
  public byte[] digest(Eip712Domain domain) {
    return domain.digest(structHash());
  }

  public BigInteger requestId() {
    return requestId;
  }

  public byte[] modelHash() {
    return modelHash.clone();
  }

  public byte[] inputHash() {
    return inputHash.clone();
  }

  public byte[] outputHash() {
    return outputHash.clone();
  }

  public long executedAt() {
    return executedAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InferenceReceipt r
        && requestId.equals(r.requestId)
        && Arrays.equals(modelHash, r.modelHash)
        && Arrays.equals(inputHash, r.inputHash)
        && Arrays.equals(outputHash, r.outputHash)
        && executedAt == r.executedAt;
  }

  @Override
  public int hashCode() {
    return Objects.hash(requestId, Arrays.hashCode(outputHash), executedAt);
  }

  @Override
  public String toString() {
    return "InferenceReceipt[request " + requestId + ", output " + Hashes.hex(outputHash) + "]";
  }
}
