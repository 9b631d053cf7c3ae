package io.credence.cli;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.protocol.Hashes;
import io.credence.protocol.deploy.DeploymentManifest;
import io.credence.protocol.dispute.DisputeState;
import io.credence.protocol.dispute.SettlementRecords;
import io.credence.protocol.dispute.Tolerance;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.settlement.HubReceipts;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SignatureException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * What the CLI's court commands share: a settled answer and the settlement batch it belongs to,
 * rebuilt from the hub's events alone; the disputes over an answer; a dispute in words.
 */
final class Court {
  private Court() {}

  /** A check that failed before anything was sent: one line for the user, exit code 1. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  /** A settled answer: its request's event, its settlement's event and that event's log. */
  record Settled(
      long requestId,
      InferenceHub.InferenceRequestedEventResponse requested,
      InferenceHub.InferenceSettledEventResponse settled,
      Log log) {
    long block() {
      return log.getBlockNumber().longValueExact();
    }
  }

  /** The request {@code id} and its settlement; refused when either is missing. */
  static Settled settled(CredenceCli.Chain chain, long id) throws IOException, Refused {
    Optional<Log> requested = chain.log(InferenceHub.INFERENCEREQUESTED_EVENT, id);
    if (requested.isEmpty()) {
      throw new Refused("request " + id + " is not on this hub");
    }
    Optional<Log> settled = chain.log(InferenceHub.INFERENCESETTLED_EVENT, id);
    if (settled.isEmpty()) {
      throw new Refused("request " + id + " has no settled answer to challenge");
    }
    return new Settled(
        id,
        InferenceHub.getInferenceRequestedEventFromLog(requested.get()),
        InferenceHub.getInferenceSettledEventFromLog(settled.get()),
        settled.get());
  }

  /**
   * A settlement batch as the court takes it: its id (its first request), the block and time it
   * settled in, every answer in settlement order, and where {@code index} the answer asked about
   * is.
   */
  record Batch(
      long batchId, long block, long time, List<SettlementRecords.Leaf> leaves, int index) {
    DisputeCourt.Batch toCourt() {
      return SettlementRecords.batch(batchId, block, time, leaves);
    }

    SettlementRecords.Leaf leaf() {
      return leaves.get(index);
    }

    byte[] record() {
      return SettlementRecords.record(leaves, block, time);
    }
  }

  /**
   * The batch {@code answer} settled in, from its transaction: the hub's {@code BatchSettled}
   * follows the {@code count} {@code InferenceSettled} logs of its batch; each answer's signers are
   * recovered from its proofs, its request read from its {@code InferenceRequested} event. Refused
   * unless the record rebuilt is the one the hub keeps ({@code batchRecord}).
   */
  static Batch batchOf(CredenceCli.Chain chain, Settled answer) throws Exception {
    String hub = chain.manifest().address(DeploymentManifest.INFERENCE_HUB);
    String tx = answer.log().getTransactionHash();
    TransactionReceipt receipt =
        chain
            .web3j()
            .ethGetTransactionReceipt(tx)
            .send()
            .getTransactionReceipt()
            .orElseThrow(() -> new IOException("no receipt for transaction " + tx));
    String settledTopic = EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT);
    String batchTopic = EventEncoder.encode(InferenceHub.BATCHSETTLED_EVENT);
    List<Log> pending = new ArrayList<>();
    List<Log> batchLogs = null;
    long batchId = 0;
    for (Log log : receipt.getLogs()) {
      if (!log.getAddress().equalsIgnoreCase(hub) || log.getTopics().isEmpty()) {
        continue;
      }
      String topic = log.getTopics().get(0);
      if (topic.equalsIgnoreCase(settledTopic)) {
        pending.add(log);
      } else if (topic.equalsIgnoreCase(batchTopic)) {
        var batch = InferenceHub.getBatchSettledEventFromLog(log);
        int count = batch.count.intValueExact();
        if (count > pending.size()) {
          throw new Refused(
              "transaction " + tx + " has fewer settlements than its BatchSettled counts");
        }
        List<Log> mine = List.copyOf(pending.subList(pending.size() - count, pending.size()));
        pending.clear();
        if (mine.stream().anyMatch(l -> sameRequest(l, answer.requestId()))) {
          batchLogs = mine;
          batchId = batch.batchId.longValueExact();
          break;
        }
      }
    }
    if (batchLogs == null) {
      throw new Refused(
          "no BatchSettled in transaction " + tx + " covers request " + answer.requestId());
    }
    Eip712Domain domain = Eip712Domain.credence(chain.chainId(), hub);
    Map<BigInteger, byte[]> modelHashes = new HashMap<>();
    List<SettlementRecords.Leaf> leaves = new ArrayList<>();
    int index = -1;
    for (Log log : batchLogs) {
      var settled = InferenceHub.getInferenceSettledEventFromLog(log);
      long id = settled.requestId.longValueExact();
      InferenceHub.InferenceRequestedEventResponse requested =
          id == answer.requestId()
              ? answer.requested()
              : InferenceHub.getInferenceRequestedEventFromLog(
                  chain
                      .log(InferenceHub.INFERENCEREQUESTED_EVENT, id)
                      .orElseThrow(
                          () -> new Refused("request " + id + " of the batch is not on this hub")));
      byte[] modelHash = modelHashes.get(requested.modelId);
      if (modelHash == null) {
        modelHash = chain.hub().modelTerms(requested.modelId).send().component1();
        modelHashes.put(requested.modelId, modelHash);
      }
      if (id == answer.requestId()) {
        index = leaves.size();
      }
      leaves.add(
          new SettlementRecords.Leaf(
              id,
              HubReceipts.request(requested),
              Hashes.keccak256(settled.output),
              signers(domain, modelHash, requested, settled)));
    }
    long block = receipt.getBlockNumber().longValueExact();
    Batch batch = new Batch(batchId, block, chain.blockTime(block), leaves, index);
    byte[] stored = chain.hub().batchRecord(BigInteger.valueOf(batchId)).send();
    if (!java.util.Arrays.equals(stored, batch.record())) {
      throw new Refused(
          "the record of batch "
              + batchId
              + " rebuilt from the chain's events ("
              + Hashes.hex(batch.record())
              + ") is not the hub's ("
              + Hashes.hex(stored)
              + "): the court would refuse it");
    }
    return batch;
  }

  private static boolean sameRequest(Log settled, long requestId) {
    return Numeric.toBigInt(settled.getTopics().get(1)).equals(BigInteger.valueOf(requestId));
  }

  /** The signers of a settled answer, recovered from its proofs, ascending. */
  static List<String> signers(
      Eip712Domain domain,
      byte[] modelHash,
      InferenceHub.InferenceRequestedEventResponse requested,
      InferenceHub.InferenceSettledEventResponse settled)
      throws Refused {
    byte[] proofs = settled.proofs;
    byte[] outputHash = Hashes.keccak256(settled.output);
    List<String> signers = new ArrayList<>();
    for (int k = 0; k < proofs.length / ReceiptProofs.PROOF_BYTES; k++) {
      byte[] digest =
          new InferenceReceipt(
                  settled.requestId,
                  modelHash,
                  requested.inputHash,
                  outputHash,
                  ReceiptProofs.executedAt(proofs, k))
              .digest(domain);
      try {
        signers.add(
            ReceiptSigner.recover(digest, ReceiptProofs.signature(proofs, k))
                .toLowerCase(Locale.ROOT));
      } catch (SignatureException e) {
        throw new Refused(
            "proof " + k + " of request " + settled.requestId + " does not recover a signer");
      }
    }
    return SettlementRecords.sorted(signers);
  }

  /** The court's tolerance for a model now. */
  static Tolerance tolerance(DisputeCourt.Terms terms) {
    return new Tolerance(
        terms.toleranceMode.intValueExact(),
        terms.toleranceUlps.longValueExact(),
        terms.toleranceAbsE9.longValueExact());
  }

  /** A tolerance in words. */
  static String describe(int mode, long ulps, long absE9) {
    return switch (mode) {
      case Tolerance.EXACT -> "exact (the same bytes)";
      case Tolerance.ARGMAX -> "arg-max (the same class in every row)";
      case Tolerance.CLOSE ->
          "close (each float within "
              + new java.math.BigDecimal(absE9)
                  .movePointLeft(9)
                  .stripTrailingZeros()
                  .toPlainString()
              + " or "
              + ulps
              + " units in the last place)";
      default -> "mode " + mode;
    };
  }

  /** The ids of every dispute over request {@code requestId}, oldest first. */
  static List<Long> disputesOf(CredenceCli.Chain chain, long requestId) throws IOException {
    List<Long> ids = new ArrayList<>();
    for (Log log :
        chain.logs(
            chain.manifest().address(DeploymentManifest.DISPUTE_COURT),
            DisputeCourt.DISPUTEOPENED_EVENT,
            null,
            CredenceCli.Chain.topic(requestId))) {
      ids.add(Numeric.toBigInt(log.getTopics().get(1)).longValueExact());
    }
    return ids;
  }

  /** The court's FaultProven event of dispute {@code id}, if it proved a fault. */
  static Optional<DisputeCourt.FaultProvenEventResponse> faultProven(
      CredenceCli.Chain chain, long id) throws IOException {
    return chain
        .logs(
            chain.manifest().address(DeploymentManifest.DISPUTE_COURT),
            DisputeCourt.FAULTPROVEN_EVENT,
            CredenceCli.Chain.topic(id))
        .stream()
        .findFirst()
        .map(DisputeCourt::getFaultProvenEventFromLog);
  }

  /** A dispute in one line, as {@code receipt verify} prints it. */
  static String summary(long id, DisputeCourt.Dispute d) {
    int kind = d.kind.intValueExact();
    DisputeState state = DisputeState.ofCode(d.state.intValueExact());
    int jurors = d.jurors.size();
    int voted = Long.bitCount(d.voted.longValueExact());
    int disagreed = Long.bitCount(d.disagreed.longValueExact());
    int agreed = voted - disagreed;
    String who =
        kind == DisputeState.KIND_AUDIT
            ? "audited by " + jurors + " juror" + (jurors == 1 ? "" : "s")
            : "challenged by " + d.challenger.toLowerCase(Locale.ROOT);
    String what =
        switch (state) {
          case AWAITING_JURY -> "awaiting its jury";
          case VOTING -> "the jury is voting, " + voted + " of " + jurors + " verdicts in";
          case FAULT_PROVEN -> "fault proven, signers slashed, requester refunded";
          case UPHELD ->
              (agreed == jurors ? "all agree" : agreed + " of " + jurors + " agree")
                  + " — upheld"
                  + (kind == DisputeState.KIND_CHALLENGE
                      ? ", the challenger's bond forfeited"
                      : "");
          case NO_MAJORITY -> "no majority, nothing slashed";
        };
    return who + ": " + what + " (dispute " + id + ")";
  }

  /** A state in words. */
  static String stateName(DisputeState state) {
    return switch (state) {
      case AWAITING_JURY -> "awaiting jury";
      case VOTING -> "voting";
      case FAULT_PROVEN -> "fault proven";
      case UPHELD -> "upheld";
      case NO_MAJORITY -> "no majority";
    };
  }

  /** The court, sending as {@code key}. */
  static DisputeCourt as(CredenceCli.Chain chain, Credentials key) throws IOException {
    CredenceCli.Sender s = CredenceCli.Sender.of(chain, key);
    return DisputeCourt.load(
        chain.manifest().address(DeploymentManifest.DISPUTE_COURT), chain.web3j(), s.tm(), s.gas());
  }

  /** Seconds since the epoch as a UTC time. */
  static String utc(long seconds) {
    return Instant.ofEpochSecond(seconds).toString();
  }
}
