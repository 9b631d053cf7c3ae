package io.credence.indexer.ingest;

import io.credence.indexer.store.IndexReads;
import io.credence.protocol.settlement.FeeSplit;
import java.util.HashMap;
import java.util.Map;

/**
 * What earlier steps stored that later steps need again, read once: models (hash, quorum,
 * contributors), the operator of each worker key, the split in force. It only ever holds committed
 * facts or facts of the step in progress, so {@link #forget} after a rewind or a failed step (whose
 * rows were rolled back) is all it takes to stay true.
 */
final class Known {
  final Map<Long, IndexReads.Model> models = new HashMap<>();
  final Map<String, String> operators = new HashMap<>();
  FeeSplit split;

  void forget() {
    models.clear();
    operators.clear();
    split = null;
  }
}
