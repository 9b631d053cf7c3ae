package io.credence.protocol.receipt;

import static io.credence.protocol.Hashes.keccak256;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a worker signs when it cannot serve a request, which refunds the requester: {@code
 * InferenceFailure(uint256 requestId,bytes32 modelHash,bytes32 inputHash,uint16 reason,bytes32
 * detailHash)}. {@code detailHash} is the keccak256 of the human-readable detail (UTF-8).
 */
public final class InferenceFailure {
  public static final String TYPE =
      "InferenceFailure(uint256 requestId,bytes32 modelHash,bytes32 inputHash,uint16 reason,bytes32 detailHash)";
  private static final byte[] TYPE_HASH = keccak256(TYPE.getBytes(StandardCharsets.UTF_8));

  private final BigInteger requestId;
  private final byte[] modelHash;
  private final byte[] inputHash;
  private final FailureReason reason;
  private final byte[] detailHash;

  public InferenceFailure(
      BigInteger requestId,
      byte[] modelHash,
      byte[] inputHash,
      FailureReason reason,
      byte[] detailHash) {
    this.requestId = Objects.requireNonNull(requestId, "requestId");
    this.modelHash = Eip712.bytes32(modelHash, "modelHash").clone();
    this.inputHash = Eip712.bytes32(inputHash, "inputHash").clone();
    this.reason = Objects.requireNonNull(reason, "reason");
    this.detailHash = Eip712.bytes32(detailHash, "detailHash").clone();
  }

  /** A failure whose detail is {@code detail}; the hash is computed here. */
  public static InferenceFailure of(
      BigInteger requestId,
      byte[] modelHash,
      byte[] inputHash,
      FailureReason reason,
      String detail) {
    return new InferenceFailure(requestId, modelHash, inputHash, reason, detailHash(detail));
  }

  public static byte[] detailHash(String detail) {
    return keccak256(detail.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] structHash() {
    return keccak256(
        Eip712.concat(
            TYPE_HASH,
            Eip712.uint(requestId),
            modelHash,
            inputHash,
            Eip712.uint(reason.code()),
            detailHash));
  }

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

  public FailureReason reason() {
    return reason;
  }

  public byte[] detailHash() {
    return detailHash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InferenceFailure f
        && requestId.equals(f.requestId)
        && Arrays.equals(modelHash, f.modelHash)
        && Arrays.equals(inputHash, f.inputHash)
        && reason == f.reason
        && Arrays.equals(detailHash, f.detailHash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(requestId, reason, Arrays.hashCode(detailHash));
  }
}
