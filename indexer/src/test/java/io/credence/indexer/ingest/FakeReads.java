package io.credence.indexer.ingest;

import io.credence.indexer.store.IndexReads;
import io.credence.protocol.settlement.FeeSplit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What earlier steps stored, held in maps; counts the reads so a test sees what is read once. */
final class FakeReads implements IndexReads {
  final Map<Long, Request> requests = new HashMap<>();
  final Map<Long, Model> models = new HashMap<>();
  final Map<String, String> operators = new HashMap<>();
  final Map<Long, Dispute> disputes = new HashMap<>();
  FeeSplit split;
  int modelReads;

  @Override
  public Map<Long, Request> requests(Set<Long> ids) {
    Map<Long, Request> out = new HashMap<>();
    ids.forEach(id -> Optional.ofNullable(requests.get(id)).ifPresent(r -> out.put(id, r)));
    return out;
  }

  @Override
  public Optional<FeeSplit> split() {
    return Optional.ofNullable(split);
  }

  @Override
  public Optional<Model> model(long id) {
    modelReads++;
    return Optional.ofNullable(models.get(id));
  }

  @Override
  public Optional<String> operator(String signer) {
    return Optional.ofNullable(operators.get(signer));
  }

  @Override
  public Optional<Dispute> dispute(long id) {
    return Optional.ofNullable(disputes.get(id));
  }

  @Override
  public boolean banned(String signer) {
    return false;
  }
}
