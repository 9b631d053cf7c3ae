package io.credence.worker.jobs;

import io.credence.protocol.Hashes;
import io.credence.protocol.messages.JobMessage;
import io.credence.protocol.messages.ResultMessage;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceFailure;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.worker.exec.JobFailure;
import io.credence.worker.exec.ModelRunner;
import io.credence.worker.lying.Liar;
import java.math.BigInteger;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a job into a signed result: the model's output with a signed {@code InferenceReceipt}, or,
 * when the job cannot be served, a signed {@code InferenceFailure} with its reason (which refunds
 * the requester). Jobs it must not sign for at all throw {@link PoisonJob}. A worker with the lying
 * switch on ({@link Liar}, tests and demos only) changes the output of the requests it lies about
 * before hashing and signing it.
 */
public class JobHandler {
  private final long chainId;
  private final String hub;
  private final Eip712Domain domain;
  private final ReceiptSigner signer;
  private final ModelRunner runner;
  private final Liar liar;
  private final ResultStore results;
  private final Clock clock;
  private final ConcurrentHashMap<String, CompletableFuture<ResultMessage>> inFlight =
      new ConcurrentHashMap<>();

  public JobHandler(
      long chainId,
      String hub,
      ReceiptSigner signer,
      ModelRunner runner,
      Liar liar,
      ResultStore results,
      Clock clock) {
    this.chainId = chainId;
    this.hub = hub;
    this.domain = Eip712Domain.credence(chainId, hub);
    this.signer = signer;
    this.runner = runner;
    this.liar = liar;
    this.results = results;
    this.clock = clock;
  }

  public String signerAddress() {
    return signer.address();
  }

  /**
   * The result for {@code job}; the same one every time the same job is handled. Copies of a job
   * handled at the same time (a redelivery, a re-dispatch) wait for one computation, so a request
   * is never signed twice.
   */
  public ResultMessage handle(JobMessage job) {
    checkAddressedToUs(job);
    // a reorg can give a request id to a different request: the job is the id with its model and
    // input
    String scope = hub + "/" + job.modelHash() + "/" + job.inputHash();
    var stored = results.get(scope, job.requestId());
    if (stored.isPresent()) {
      return stored.get();
    }
    CompletableFuture<ResultMessage> mine = new CompletableFuture<>();
    String flightKey = scope + "/" + job.requestId();
    CompletableFuture<ResultMessage> running = inFlight.putIfAbsent(flightKey, mine);
    if (running != null) {
      return running.join();
    }
    try {
      ResultMessage r =
          results
              .get(scope, job.requestId())
              .orElseGet(() -> {
                ResultMessage computed = compute(job);
                results.put(scope, computed);
                return computed;
              });
      mine.complete(r);
      return r;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(flightKey, mine);
    }
  }

  private ResultMessage compute(JobMessage job) {
    long start = System.nanoTime();
    byte[] modelHash = bytes32(job.modelHash(), "modelHash");
    byte[] inputHash = bytes32(job.inputHash(), "inputHash");
    byte[] input = base64(job.input());
    if (!Arrays.equals(Hashes.keccak256(input), inputHash)) {
      throw new PoisonJob(
          "job " + job.requestId() + ": input does not hash to inputHash " + job.inputHash());
    }
    BigInteger requestId = BigInteger.valueOf(job.requestId());
    Map<String, Long> timings = new LinkedHashMap<>();
    try {
      byte[] output =
          liar.apply(job.requestId(), runner.run(job.modelUri(), modelHash, input, timings));
      long executedAt = clock.instant().getEpochSecond();
      byte[] outputHash = Hashes.keccak256(output);
      byte[] signature =
          signer.sign(
              new InferenceReceipt(requestId, modelHash, inputHash, outputHash, executedAt),
              domain);
      timings.put("totalMs", millis(start));
      return new ResultMessage(
          job.requestId(),
          signer.address(),
          ResultMessage.Status.OK,
          Base64.getEncoder().encodeToString(output),
          Hashes.hex(outputHash),
          executedAt,
          Hashes.hex(signature),
          null,
          null,
          timings);
    } catch (JobFailure f) {
      InferenceFailure failure =
          InferenceFailure.of(requestId, modelHash, inputHash, f.reason(), f.detail());
      byte[] signature = signer.sign(failure, domain);
      timings.put("totalMs", millis(start));
      return new ResultMessage(
          job.requestId(),
          signer.address(),
          ResultMessage.Status.FAILED,
          null,
          null,
          null,
          Hashes.hex(signature),
          f.reason().code(),
          f.detail(),
          timings);
    }
  }

  private void checkAddressedToUs(JobMessage job) {
    if (job.chainId() != chainId || job.hub() == null || !job.hub().equalsIgnoreCase(hub)) {
      throw new PoisonJob(
          "job "
              + job.requestId()
              + " is for hub "
              + job.hub()
              + " on chain "
              + job.chainId()
              + "; this worker signs for hub "
              + hub
              + " on chain "
              + chainId);
    }
  }

  private static byte[] bytes32(String hex, String what) {
    try {
      return Hashes.bytes32(hex);
    } catch (RuntimeException e) {
      throw new PoisonJob(what + " is not 32 bytes of hex: " + hex);
    }
  }

  private static byte[] base64(String b64) {
    try {
      return Base64.getDecoder().decode(b64 == null ? "" : b64);
    } catch (IllegalArgumentException e) {
      throw new PoisonJob("input is not base64: " + e.getMessage());
    }
  }

  private static long millis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
