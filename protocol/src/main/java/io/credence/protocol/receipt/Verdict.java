package io.credence.protocol.receipt;

import static io.credence.protocol.Hashes.keccak256;

import io.credence.protocol.Hashes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a juror signs once it re-ran a disputed job: {@code Verdict(uint256 disputeId,uint256
 * requestId,bytes32 outputHash,bytes32 jurorOutputHash,bool agrees)}, under the same domain as
 * receipts ({@link Eip712Domain#credence}). {@code agrees} says whether the settled output ({@code
 * outputHash}) matches the juror's own ({@code jurorOutputHash}) within the model's tolerance; a
 * verdict that disagrees with an output equal to the juror's own is inconsistent, and the court
 * refuses it.
 */
public record Verdict(
    BigInteger disputeId,
    BigInteger requestId,
    byte[] outputHash,
    byte[] jurorOutputHash,
    boolean agrees) {
  public static final String TYPE =
      "Verdict(uint256 disputeId,uint256 requestId,bytes32 outputHash,bytes32 jurorOutputHash,bool agrees)";
  private static final byte[] TYPE_HASH = keccak256(TYPE.getBytes(StandardCharsets.UTF_8));

  public Verdict {
    Objects.requireNonNull(disputeId, "disputeId");
    Objects.requireNonNull(requestId, "requestId");
    outputHash = Eip712.bytes32(outputHash, "outputHash").clone();
    jurorOutputHash = Eip712.bytes32(jurorOutputHash, "jurorOutputHash").clone();
    if (!agrees && Arrays.equals(outputHash, jurorOutputHash)) {
      throw new IllegalArgumentException(
          "a verdict cannot disagree with an output equal to the juror's own");
    }
  }

  public byte[] structHash() {
    return keccak256(
        Eip712.concat(
            TYPE_HASH,
            Eip712.uint(disputeId),
            Eip712.uint(requestId),
            outputHash,
            jurorOutputHash,
            Eip712.uint(agrees ? 1 : 0)));
  }

  /** The digest the court verifies: EIP-712 under the hub's {@code domain}. */
  public byte[] digest(Eip712Domain domain) {
    return domain.digest(structHash());
  }

  @Override
  public byte[] outputHash() {
    return outputHash.clone();
  }

  @Override
  public byte[] jurorOutputHash() {
    return jurorOutputHash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Verdict v
        && disputeId.equals(v.disputeId)
        && requestId.equals(v.requestId)
        && Arrays.equals(outputHash, v.outputHash)
        && Arrays.equals(jurorOutputHash, v.jurorOutputHash)
        && agrees == v.agrees;
  }

  @Override
  public int hashCode() {
    return Objects.hash(disputeId, requestId, agrees);
  }

  @Override
  public String toString() {
    return "Verdict[dispute "
        + disputeId
        + ", request "
        + requestId
        + (agrees ? ", agrees" : ", disagrees: juror's output " + Hashes.hex(jurorOutputHash))
        + "]";
  }
}
