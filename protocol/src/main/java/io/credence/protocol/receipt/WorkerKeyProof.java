package io.credence.protocol.receipt;

import static io.credence.protocol.Hashes.keccak256;

import java.nio.charset.StandardCharsets;

/**
 * The proof a worker key gives when it is registered: its signature of {@code WorkerKey(address
 * operator)} under the WorkerRegistry's domain. It stops anyone from registering someone else's key
 * and collecting its pay.
 */
public final class WorkerKeyProof {
  public static final String TYPE = "WorkerKey(address operator)";
  private static final byte[] TYPE_HASH = keccak256(TYPE.getBytes(StandardCharsets.UTF_8));

  private WorkerKeyProof() {}

  public static byte[] digest(Eip712Domain workerRegistryDomain, String operator) {
    return workerRegistryDomain.digest(
        keccak256(Eip712.concat(TYPE_HASH, Eip712.address(operator))));
  }

  /** The key's signature agreeing to serve {@code operator}. */
  public static byte[] sign(ReceiptSigner key, Eip712Domain workerRegistryDomain, String operator) {
    return key.sign(digest(workerRegistryDomain, operator));
  }
}
