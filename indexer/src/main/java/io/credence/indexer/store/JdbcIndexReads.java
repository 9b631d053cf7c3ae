package io.credence.indexer.store;

import io.credence.protocol.settlement.FeeSplit;
import io.credence.protocol.settlement.PoolShares;
import io.credence.protocol.store.Jdbc;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@link IndexReads} in the step's own transaction, so a step sees what it wrote before. */
public final class JdbcIndexReads implements IndexReads {
  private final Connection c;

  public JdbcIndexReads(Connection c) {
    this.c = c;
  }

  @Override
  public Map<Long, Request> requests(Set<Long> ids) throws SQLException {
    Map<Long, Request> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    for (var e :
        Jdbc.query(
            c,
            "SELECT request_id, model_id, requester, input_hash, fee, gas_allowance FROM request WHERE request_id = ANY (?)",
            rs ->
                Map.entry(
                    rs.getLong(1),
                    new Request(
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getBytes(4),
                        Jdbc.wei(rs, "fee"),
                        Jdbc.wei(rs, "gas_allowance"))),
            (Object) ids.toArray(Long[]::new))) {
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  @Override
  public Optional<FeeSplit> split() throws SQLException {
    return Jdbc.one(
        c,
        "SELECT protocol_bps, worker_bps FROM split_change ORDER BY block_number DESC, log_index DESC LIMIT 1",
        rs -> new FeeSplit(rs.getInt(1), rs.getInt(2)));
  }

  @Override
  public Optional<Model> model(long id) throws SQLException {
    Optional<Model> m =
        Jdbc.one(
            c,
            "SELECT sha256, quorum FROM model WHERE model_id = ?",
            rs -> new Model(rs.getBytes(1), rs.getInt(2), new ArrayList<>()),
            id);
    if (m.isPresent()) {
      m.get().contributors().addAll(contributors(c, id));
    }
    return m;
  }

  @Override
  public Optional<String> operator(String signer) throws SQLException {
    return Jdbc.one(
        c, "SELECT operator FROM worker WHERE signer = ?", rs -> rs.getString(1), signer);
  }

  @Override
  public Optional<Dispute> dispute(long id) throws SQLException {
    return Jdbc.one(
        c,
        """
        SELECT d.request_id, d.kind, d.challenger, d.bond, r.requester,
               ARRAY(SELECT s.signer FROM dispute_signer s WHERE s.dispute_id = d.dispute_id ORDER BY s.k)
        FROM dispute d JOIN request r ON r.request_id = d.request_id WHERE d.dispute_id = ?
        """,
        rs ->
            new Dispute(
                rs.getLong(1),
                rs.getInt(2),
                rs.getString(3),
                Jdbc.wei(rs, "bond"),
                java.util.List.of((String[]) rs.getArray(6).getArray()),
                rs.getString(5)),
        id);
  }

  @Override
  public boolean banned(String signer) throws SQLException {
    return Jdbc.one(
            c,
            "SELECT count(*) FROM stake_event WHERE signer = ? AND kind IN ('SLASHED', 'SEIZED')",
            rs -> rs.getLong(1) > 0,
            signer)
        .orElse(false);
  }

  /** A model's contributors in registry order (index 0 first: it takes the pool's remainders). */
  public static java.util.List<PoolShares.Contributor> contributors(Connection c, long modelId)
      throws SQLException {
    return Jdbc.query(
        c,
        "SELECT account, role, share_bps FROM contributor WHERE model_id = ? ORDER BY idx",
        rs -> new PoolShares.Contributor(rs.getString(1), rs.getInt(2), rs.getInt(3)),
        modelId);
  }

  /** A model a model was derived from: how (kind 1 to 4) and its share of the model's pool. */
  public record Parent(long modelId, int kind, int shareBps) {}

  /** A model's parents in registry order (the order the vault pays them in); none for most. */
  public static java.util.List<Parent> parents(Connection c, long modelId) throws SQLException {
    return Jdbc.query(
        c,
        "SELECT parent_id, kind, share_bps FROM model_parent WHERE model_id = ? ORDER BY position",
        rs -> new Parent(rs.getLong(1), rs.getInt(2), rs.getInt(3)),
        modelId);
  }

  /** The shares in basis points of {@code parents}, as {@link PoolShares#lineage} takes them. */
  public static java.util.List<Integer> shares(java.util.List<Parent> parents) {
    return parents.stream().map(Parent::shareBps).toList();
  }

  /**
   * What each of {@code contributors} (the model's, in registry order) would get of {@code pool}
   * were it distributed now: the vault's rule, its parents' parts taken off first, so that an
   * account's pending share is what the hub's claimable counts.
   */
  public static BigInteger[] contributorShares(
      Connection c,
      long modelId,
      java.util.List<PoolShares.Contributor> contributors,
      BigInteger pool)
      throws SQLException {
    return PoolShares.divide(
        PoolShares.lineage(pool, shares(parents(c, modelId))).rest(), contributors);
  }
}
