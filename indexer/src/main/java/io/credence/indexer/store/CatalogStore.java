package io.credence.indexer.store;

import io.credence.indexer.model.DatasetEntity;
import io.credence.indexer.model.ModelEntity;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.LogFollower;
import io.credence.protocol.service.JdbcCheckpoints;
import io.credence.protocol.settlement.PoolShares;
import io.credence.protocol.settlement.RequestState;
import io.credence.protocol.store.Jdbc;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Models, datasets and network statistics as the explorer reads them (workers: {@link
 * WorkerStore}): the registered rows through their Panache entities, what is summed or counted over
 * the ledgers in SQL. Amounts are wei as decimal strings.
 */
@ApplicationScoped
public class CatalogStore {
  private final DataSource dataSource;

  @Inject
  public CatalogStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  // ------------------------------------------------------------------ models

  /**
   * A model with its current terms.
   *
   * @param owner current owner (after any transfer)
   * @param fee current fee in wei
   * @param predecessor the model this is a new version of, if any
   */
  public record ModelSummary(
      long modelId,
      String owner,
      String sha256,
      String uri,
      String fee,
      int quorum,
      boolean retired,
      Long predecessor,
      long block,
      String tx) {}

  public record ModelContributor(String account, String role, int shareBps, String dataset) {}

  /** Requests served by a model, by how they ended. */
  public record Served(long total, long settled, long failed, long expired, long pending) {}

  /**
   * What a model's settled requests paid, in total and to each role: protocol, workers,
   * contributors (the model's pool), and of that, by contributor role (distributed or pending).
   */
  public record Earnings(
      String fees,
      String protocol,
      String workers,
      String contributors,
      Map<String, String> byRole) {}

  /** The registry's derivation kinds by code. */
  static final Map<Integer, String> DERIVATIONS =
      Map.of(1, "fine-tune", 2, "distill", 3, "quantize", 4, "ensemble");

  /**
   * An edge of a model's lineage seen from one end.
   *
   * @param modelId the model at the other end: the parent, or the derived model
   * @param kind how the child was derived: fine-tune, distill, quantize, ensemble
   * @param shareBps the parent's share of the child's pool, in basis points
   * @param paid wei the child's distributions have paid into the parent's pool so far
   */
  public record LineageEdge(long modelId, String kind, int shareBps, String paid) {}

  /**
   * @param parents the models it was derived from, in the registry's order (the order its
   *     distributions pay them in)
   * @param children the models derived from it, by id
   * @param pendingPool what its pool holds now, its children's payments included; its parents'
   *     parts are taken from it when it is distributed
   */
  public record ModelView(
      ModelSummary model,
      List<ModelContributor> contributors,
      List<LineageEdge> parents,
      List<LineageEdge> children,
      Served requests,
      Earnings earnings,
      String pendingPool) {}

  /** Models with ids above {@code after}, by id. */
  public List<ModelSummary> models(long after, int limit) {
    List<ModelEntity> found =
        ModelEntity.find("modelId > ?1", Sort.by("modelId"), after).page(0, limit).list();
    return Jdbc.tx(
        dataSource,
        c -> {
          List<ModelSummary> out = new ArrayList<>();
          for (ModelEntity m : found) {
            out.add(summary(c, m));
          }
          return out;
        });
  }

  public Optional<ModelView> model(long modelId) {
    Optional<ModelEntity> entity = ModelEntity.findByIdOptional(modelId);
    if (entity.isEmpty()) {
      return Optional.empty();
    }
    ModelEntity m = entity.get();
    return Optional.of(
        Jdbc.tx(
            dataSource,
            c -> {
              List<ModelContributor> contributors =
                  Jdbc.query(
                      c,
                      "SELECT account, role, share_bps, dataset FROM contributor WHERE model_id = ? ORDER BY idx",
                      rs ->
                          new ModelContributor(
                              rs.getString(1),
                              AccountStore.ROLES.get(rs.getInt(2)),
                              rs.getInt(3),
                              RequestStore.hex(rs.getBytes(4))),
                      modelId);
              Served served =
                  Jdbc.one(
                          c,
                          """
                          SELECT count(*), count(*) FILTER (WHERE o.kind = 'SETTLED'), count(*) FILTER (WHERE o.kind = 'FAILED'),
                                 count(*) FILTER (WHERE o.kind = 'EXPIRED'), count(*) FILTER (WHERE o.kind IS NULL)
                          FROM request r LEFT JOIN outcome o ON o.request_id = r.request_id WHERE r.model_id = ?
                          """,
                          rs ->
                              new Served(
                                  rs.getLong(1),
                                  rs.getLong(2),
                                  rs.getLong(3),
                                  rs.getLong(4),
                                  rs.getLong(5)),
                          modelId)
                      .orElseThrow();
              BigInteger[] sums =
                  Jdbc.one(
                          c,
                          """
                          SELECT COALESCE(sum(r.fee), 0) AS fees, COALESCE(sum(o.protocol_part), 0) AS protocol,
                                 COALESCE(sum(o.worker_each * m.quorum), 0) AS workers, COALESCE(sum(o.pool_part), 0) AS pool
                          FROM outcome o JOIN request r ON r.request_id = o.request_id JOIN model m ON m.model_id = r.model_id
                          WHERE o.kind = 'SETTLED' AND r.model_id = ?
                          """,
                          rs ->
                              new BigInteger[] {
                                Jdbc.wei(rs, "fees"),
                                Jdbc.wei(rs, "protocol"),
                                Jdbc.wei(rs, "workers"),
                                Jdbc.wei(rs, "pool")
                              },
                          modelId)
                      .orElseThrow();
              Map<String, BigInteger> byRole = new LinkedHashMap<>();
              for (String role : List.of("author", "data", "other")) {
                byRole.put(role, BigInteger.ZERO);
              }
              for (Object[] row :
                  Jdbc.query(
                      c,
                      "SELECT role, sum(amount) AS amount FROM ledger WHERE kind = 'SHARE' AND model_id = ? GROUP BY role",
                      rs -> new Object[] {rs.getInt(1), Jdbc.wei(rs, "amount")},
                      modelId)) {
                byRole.merge(
                    AccountStore.ROLES.get((Integer) row[0]), (BigInteger) row[1], BigInteger::add);
              }
              BigInteger pool = AccountStore.pool(c, modelId);
              List<PoolShares.Contributor> list = JdbcIndexReads.contributors(c, modelId);
              BigInteger[] shares = JdbcIndexReads.contributorShares(c, modelId, list, pool);
              for (int j = 0; j < shares.length; j++) {
                byRole.merge(
                    AccountStore.ROLES.get(list.get(j).role()), shares[j], BigInteger::add);
              }
              Map<String, String> roles = new LinkedHashMap<>();
              byRole.forEach((k, v) -> roles.put(k, v.toString()));
              return new ModelView(
                  summary(c, m),
                  contributors,
                  lineage(c, "model_id", "parent_id", modelId),
                  lineage(c, "parent_id", "model_id", modelId),
                  served,
                  new Earnings(
                      sums[0].toString(),
                      sums[1].toString(),
                      sums[2].toString(),
                      sums[3].toString(),
                      roles),
                  pool.toString());
            }));
  }

  /**
   * The edges where {@code modelId} is in column {@code self} of model_parent (model_id: its
   * parents, in their order; parent_id: its children, by id), each with what flowed along it.
   */
  private static List<LineageEdge> lineage(Connection c, String self, String other, long modelId)
      throws SQLException {
    return Jdbc.query(
        c,
        "SELECT p."
            + other
            + ", p.kind, p.share_bps, (SELECT COALESCE(sum(l.amount), 0) FROM lineage_paid l"
            + " WHERE l.model_id = p.model_id AND l.parent_id = p.parent_id) AS paid"
            + " FROM model_parent p WHERE p."
            + self
            + " = ? ORDER BY p.model_id, p.position",
        rs ->
            new LineageEdge(
                rs.getLong(1),
                DERIVATIONS.get(rs.getInt(2)),
                rs.getInt(3),
                Jdbc.wei(rs, "paid").toString()),
        modelId);
  }

  private static ModelSummary summary(Connection c, ModelEntity m) throws SQLException {
    Map<String, String> latest = new LinkedHashMap<>();
    for (String[] ch :
        Jdbc.query(
            c,
            "SELECT kind, value FROM model_change WHERE model_id = ? ORDER BY block_number, log_index",
            rs -> new String[] {rs.getString(1), rs.getString(2)},
            m.modelId)) {
      latest.put(ch[0], ch[1]);
    }
    return new ModelSummary(
        m.modelId,
        latest.getOrDefault("OWNER", m.owner),
        Hashes.hex(m.sha256),
        m.uri,
        latest.getOrDefault("FEE", m.fee.toBigInteger().toString()),
        m.quorum,
        latest.containsKey("RETIRED"),
        latest.containsKey("VERSION_OF") ? Long.valueOf(latest.get("VERSION_OF")) : null,
        m.blockNumber,
        m.txHash);
  }

  // ------------------------------------------------------------------ datasets

  /** A registered dataset. */
  public record DatasetSummary(String sha256, String provider, String uri, long block, String tx) {}

  public record TrainedModel(long modelId, int shareBps) {}

  /**
   * A dataset, the models that name it, and what its provider earned from them (distributed or
   * pending).
   */
  public record DatasetView(
      DatasetSummary dataset, List<TrainedModel> models, String providerEarnings) {}

  /** Where a dataset lies in registration order: the datasets page's cursor. */
  public record DatasetCursor(long block, int logIndex) {}

  /**
   * Datasets registered after {@code after} (null: from the first), in registration order, each
   * with its cursor.
   */
  public List<Map.Entry<DatasetSummary, DatasetCursor>> datasets(DatasetCursor after, int limit) {
    List<DatasetEntity> found =
        after == null
            ? DatasetEntity.find("order by blockNumber, logIndex").page(0, limit).list()
            : DatasetEntity.find(
                    "blockNumber > ?1 or (blockNumber = ?1 and logIndex > ?2) order by blockNumber, logIndex",
                    after.block(),
                    after.logIndex())
                .page(0, limit)
                .list();
    return found.stream()
        .map(d ->
            Map.entry(
                new DatasetSummary(
                    Hashes.hex(d.sha256), d.provider, d.uri, d.blockNumber, d.txHash),
                new DatasetCursor(d.blockNumber, d.logIndex)))
        .toList();
  }

  public Optional<DatasetView> dataset(byte[] hash) {
    Optional<DatasetEntity> entity = DatasetEntity.findByIdOptional(hash);
    if (entity.isEmpty()) {
      return Optional.empty();
    }
    DatasetEntity d = entity.get();
    return Optional.of(
        Jdbc.tx(
            dataSource,
            c -> {
              List<TrainedModel> models =
                  Jdbc.query(
                      c,
                      "SELECT model_id, share_bps FROM contributor WHERE dataset = ? ORDER BY model_id",
                      rs -> new TrainedModel(rs.getLong(1), rs.getInt(2)),
                      (Object) hash);
              BigInteger earned = BigInteger.ZERO;
              for (TrainedModel m : models) {
                earned =
                    earned.add(
                        Jdbc.one(
                                c,
                                "SELECT COALESCE(sum(amount), 0) AS amount FROM ledger WHERE kind = 'SHARE' AND account = ? AND model_id = ?",
                                rs -> Jdbc.wei(rs, "amount"),
                                d.provider,
                                m.modelId())
                            .orElseThrow());
                List<PoolShares.Contributor> list = JdbcIndexReads.contributors(c, m.modelId());
                BigInteger[] shares =
                    JdbcIndexReads.contributorShares(
                        c, m.modelId(), list, AccountStore.pool(c, m.modelId()));
                for (int j = 0; j < shares.length; j++) {
                  if (list.get(j).account().equals(d.provider)) {
                    earned = earned.add(shares[j]);
                  }
                }
              }
              return new DatasetView(
                  new DatasetSummary(
                      Hashes.hex(d.sha256), d.provider, d.uri, d.blockNumber, d.txHash),
                  models,
                  earned.toString());
            }));
  }

  // ------------------------------------------------------------------ statistics

  /**
   * The network in numbers.
   *
   * @param requests by state: PENDING, SETTLED, FAILED, EXPIRED
   * @param fees escrowed by all requests
   * @param claimed paid out by all claims
   * @param indexedBlock the last block indexed
   */
  public record Stats(
      long models,
      long datasets,
      long workers,
      Map<RequestState, Long> requests,
      String fees,
      String claimed,
      long indexedBlock) {}

  public Stats stats() {
    return Jdbc.tx(
        dataSource,
        c -> {
          long[] counts =
              Jdbc.one(
                      c,
                      "SELECT (SELECT count(*) FROM model), (SELECT count(*) FROM dataset), (SELECT count(*) FROM worker)",
                      rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                  .orElseThrow();
          Map<RequestState, Long> byState = new LinkedHashMap<>();
          for (RequestState s : RequestState.values()) {
            byState.put(s, 0L);
          }
          for (Object[] row :
              Jdbc.query(
                  c,
                  "SELECT COALESCE(o.kind, 'PENDING'), count(*) FROM request r LEFT JOIN outcome o ON o.request_id = r.request_id GROUP BY 1",
                  rs -> new Object[] {RequestState.valueOf(rs.getString(1)), rs.getLong(2)})) {
            byState.put((RequestState) row[0], (Long) row[1]);
          }
          BigInteger fees =
              Jdbc.one(c, "SELECT COALESCE(sum(fee), 0) AS v FROM request", rs -> Jdbc.wei(rs, "v"))
                  .orElseThrow();
          BigInteger claimed =
              Jdbc.one(
                      c, "SELECT COALESCE(sum(amount), 0) AS v FROM claim", rs -> Jdbc.wei(rs, "v"))
                  .orElseThrow();
          long block = JdbcCheckpoints.last(c).map(LogFollower.Block::number).orElse(-1L);
          return new Stats(
              counts[0], counts[1], counts[2], byState, fees.toString(), claimed.toString(), block);
        });
  }
}
