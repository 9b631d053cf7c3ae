package io.credence.indexer.ingest;

import io.credence.indexer.store.IngestStore;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A block's settlement credits, summed. A block of a busy hub settles hundreds of requests whose
 * worker parts go to a handful of operators and whose pools to a handful of models: they are
 * written as one ledger row per operator and model, one pool row per model and one protocol row per
 * block (tagged with the block's first settlement), which keeps the ledgers, and the sums the API
 * takes over them, small. Each settlement's own split stays in its outcome row. Summed per block,
 * not per step, so the rows do not depend on how the chain was cut into steps (a re-index after a
 * reorg writes the same rows).
 */
final class BlockCredits {
  /** Worker credits are summed per operator and model. */
  private record Credit(String account, long modelId) {}

  final long block;
  private final int logIndex;
  private final Map<Credit, BigInteger> worker = new LinkedHashMap<>();
  private final Map<Long, BigInteger> pool = new LinkedHashMap<>();
  private BigInteger protocol = BigInteger.ZERO;

  BlockCredits(long block, int logIndex) {
    this.block = block;
    this.logIndex = logIndex;
  }

  void worker(String operator, long modelId, BigInteger amount) {
    if (amount.signum() > 0) {
      worker.merge(new Credit(operator, modelId), amount, BigInteger::add);
    }
  }

  void pool(long modelId, BigInteger amount) {
    if (amount.signum() > 0) {
      pool.merge(modelId, amount, BigInteger::add);
    }
  }

  void protocol(BigInteger amount) {
    protocol = protocol.add(amount);
  }

  void write(IngestStore store) {
    int k = 0;
    for (Map.Entry<Credit, BigInteger> e : worker.entrySet()) {
      store.ledger(
          block,
          logIndex,
          k++,
          e.getKey().account(),
          "WORKER",
          null,
          e.getValue(),
          e.getKey().modelId(),
          null);
    }
    for (Map.Entry<Long, BigInteger> e : pool.entrySet()) {
      store.pool(block, logIndex, e.getKey(), e.getValue());
    }
    if (protocol.signum() > 0) {
      store.protocol(block, logIndex, protocol, "SETTLEMENT");
    }
  }
}
