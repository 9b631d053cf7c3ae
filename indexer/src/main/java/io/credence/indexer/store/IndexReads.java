package io.credence.indexer.store;

import io.credence.protocol.settlement.FeeSplit;
import io.credence.protocol.settlement.PoolShares;
import java.math.BigInteger;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What ingestion reads back of what earlier steps stored: the facts an event does not repeat. */
public interface IndexReads {
  /**
   * A request as its outcome needs it; {@code gasAllowance} is what it escrowed for gas (0 before
   * allowances).
   */
  record Request(
      long modelId, String requester, byte[] inputHash, BigInteger fee, BigInteger gasAllowance) {
    public Request(long modelId, String requester, byte[] inputHash, BigInteger fee) {
      this(modelId, requester, inputHash, fee, BigInteger.ZERO);
    }
  }

  /** A model as settlement and distribution need it; contributors in registry order. */
  record Model(byte[] sha256, int quorum, List<PoolShares.Contributor> contributors) {}

  /**
   * A dispute as its resolution's credits need it: who challenged with what bond, whose answer
   * (signers ascending) and the requester refunded when the fault is proven.
   */
  record Dispute(
      long requestId,
      int kind,
      String challenger,
      BigInteger bond,
      List<String> signers,
      String requester) {}

  /** The stored requests among {@code ids}, by id. */
  Map<Long, Request> requests(Set<Long> ids) throws SQLException;

  /** The split in force: the last SplitChanged stored. */
  Optional<FeeSplit> split() throws SQLException;

  /** A stored model, with its contributors. */
  Optional<Model> model(long id) throws SQLException;

  /** The operator a stored worker key was registered by. */
  Optional<String> operator(String signer) throws SQLException;

  /** A stored dispute. */
  Optional<Dispute> dispute(long id) throws SQLException;

  /** True when a stored worker key was slashed or seized (its operator is forgotten). */
  boolean banned(String signer) throws SQLException;
}
