package io.credence.indexer.ingest;

import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.indexer.store.IndexReads;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.HubEvents;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.receipt.ReceiptSigner;
import java.security.SignatureException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.methods.response.BaseEventResponse;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Recovering a signer is the costliest part of indexing (two elliptic-curve multiplications, ~50 µs
 * with libsecp256k1): a step's requests and settlements are decoded, and its settlements' signers
 * recovered, on all cores before its rows are written. A settlement whose model or request is not
 * known yet is recovered when its row is written ({@link #signers}).
 */
final class SignerRecovery {
  private static final String MODEL_REGISTERED_TOPIC =
      EventEncoder.encode(ModelRegistry.MODELREGISTERED_EVENT);

  /** A settlement's output hash and its signers, in proof order. */
  record Signed(byte[] outputHash, String[] signers) {}

  /** A settlement whose signers are to be recovered, with the model hash they signed over. */
  private record Job(
      Log log,
      InferenceHub.InferenceSettledEventResponse event,
      IndexReads.Request request,
      byte[] modelHash) {}

  private final String hub;
  private final String modelRegistry;
  private final Eip712Domain domain;

  SignerRecovery(String hub, String modelRegistry, Eip712Domain domain) {
    this.hub = ContractIngest.lower(hub);
    this.modelRegistry = ContractIngest.lower(modelRegistry);
    this.domain = domain;
  }

  /** Fills the step's decoded events and recovered signers from {@code logs}. */
  void prepare(Step step, List<Log> logs) throws SQLException {
    String requestedTopic = HubEvents.REQUESTED_TOPIC;
    String settledTopic = HubEvents.SETTLED_TOPIC;
    List<BaseEventResponse> events =
        logs.parallelStream()
            .map(l -> {
              if (l.isRemoved()
                  || l.getTopics().isEmpty()
                  || !l.getAddress().equalsIgnoreCase(hub)) {
                return null;
              }
              String topic = l.getTopics().get(0);
              return topic.equals(requestedTopic)
                  ? HubEvents.requested(l)
                  : topic.equals(settledTopic) ? (BaseEventResponse) HubEvents.settled(l) : null;
            })
            .toList();
    for (int i = 0; i < logs.size(); i++) {
      if (events.get(i) != null) {
        step.decoded.put(logs.get(i), events.get(i));
      }
    }
    Map<Long, IndexReads.Request> known = new HashMap<>(step.requests);
    Map<Long, byte[]> modelHashes = new HashMap<>();
    List<Job> jobs = new ArrayList<>();
    for (Log l : logs) {
      if (l.isRemoved() || l.getTopics().isEmpty()) {
        continue;
      }
      String topic = l.getTopics().get(0);
      String address = ContractIngest.lower(l.getAddress());
      if (address.equals(modelRegistry) && topic.equals(MODEL_REGISTERED_TOPIC)) {
        var e = ModelRegistry.getModelRegisteredEventFromLog(l);
        modelHashes.put(e.modelId.longValueExact(), e.sha256);
      } else if (!address.equals(hub)) {
        continue;
      } else if (topic.equals(requestedTopic)) {
        var e = (InferenceHub.InferenceRequestedEventResponse) step.decoded.get(l);
        known.put(e.requestId.longValueExact(), HubIngest.request(e));
      } else if (topic.equals(settledTopic)) {
        var e = (InferenceHub.InferenceSettledEventResponse) step.decoded.get(l);
        IndexReads.Request r = known.get(e.requestId.longValueExact());
        byte[] modelHash = r == null ? null : modelHashes.get(r.modelId());
        if (r != null && modelHash == null) {
          modelHash = step.knownModel(r.modelId()).map(IndexReads.Model::sha256).orElse(null);
        }
        if (modelHash != null) {
          jobs.add(new Job(l, e, r, modelHash));
        }
      }
    }
    List<Signed> signed =
        jobs.parallelStream().map(j -> signers(j.event(), j.request(), j.modelHash())).toList();
    for (int i = 0; i < jobs.size(); i++) {
      step.recovered.put(jobs.get(i).log(), signed.get(i));
    }
  }

  /** The output hash of a settlement, and its signers from its proofs, in order. */
  Signed signers(
      InferenceHub.InferenceSettledEventResponse e, IndexReads.Request r, byte[] modelHash) {
    byte[] outputHash = Hashes.keccak256(e.output);
    String[] out = new String[ReceiptProofs.count(e.proofs)];
    for (int k = 0; k < out.length; k++) {
      long executedAt = ReceiptProofs.executedAt(e.proofs, k);
      byte[] digest =
          new InferenceReceipt(e.requestId, modelHash, r.inputHash(), outputHash, executedAt)
              .digest(domain);
      try {
        out[k] =
            ContractIngest.lower(
                ReceiptSigner.recover(digest, ReceiptProofs.signature(e.proofs, k)));
      } catch (SignatureException ex) {
        throw new IllegalStateException(
            "request "
                + e.requestId
                + ": proof "
                + k
                + " does not recover, though the hub accepted it",
            ex);
      }
    }
    return new Signed(outputHash, out);
  }
}
