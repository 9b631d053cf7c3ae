package io.credence.indexer.api;

import io.credence.protocol.settlement.PoolShares;
import io.credence.indexer.model.DatasetEntity;
import io.credence.indexer.model.ModelEntity;
import io.credence.indexer.model.WorkerEntity;
import io.credence.protocol.Hashes;
import io.credence.protocol.store.Jdbc;
import io.quarkus.panache.common.Sort;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Models, datasets, workers and network statistics. Amounts are wei as decimal strings. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {
  @Inject DataSource dataSource;

  // ------------------------------------------------------------------ models

  /**
   * A model with its current terms.
   *
   * @param owner current owner (after any transfer)
   * @param fee current fee in wei
   * @param predecessor the model this is a new version of, if any
   */
  public record ModelSummary(long modelId, String owner, String sha256, String uri, String fee, int quorum, boolean retired, Long predecessor, long block, String tx) {}

  public record ModelContributor(String account, String role, int shareBps, String dataset) {}

  /** Requests served by a model, by how they ended. */
  public record Served(long total, long settled, long failed, long expired, long pending) {}

  /**
   * What a model's settled requests paid, in total and to each role: protocol, workers,
   * contributors (the model's pool), and of that, by contributor role (distributed or pending).
   */
  public record Earnings(String fees, String protocol, String workers, String contributors, Map<String, String> byRole) {}

  public record ModelView(ModelSummary model, List<ModelContributor> contributors, Served requests, Earnings earnings, String pendingPool) {}

  @GET
  @Path("/models")
  @Operation(summary = "Models, by id")
  public Page<ModelSummary> models(@QueryParam("after") String after, @QueryParam("limit") Integer limit) {
    int size = ApiErrors.limit(limit);
    long from = after == null ? 0 : ApiErrors.id("after", after);
    List<ModelEntity> found = ModelEntity.find("modelId > ?1", Sort.by("modelId"), from).page(0, size).list();
    List<ModelSummary> items = Jdbc.tx(dataSource, c -> {
      List<ModelSummary> out = new ArrayList<>();
      for (ModelEntity m : found) {
        out.add(summary(c, m));
      }
      return out;
    });
    return Page.of(items, size, m -> Long.toString(m.modelId()));
  }

  @GET
  @Path("/models/{id}")
  @Operation(summary = "A model: contributors and datasets, requests served, earnings by role")
  public ModelView model(@PathParam("id") String id) {
    long modelId = ApiErrors.id("a model id", id);
    ModelEntity m = ModelEntity.<ModelEntity>findByIdOptional(modelId).orElseThrow(() -> ApiErrors.notFound("model " + modelId + " is not indexed"));
    return Jdbc.tx(
        dataSource,
        c -> {
          List<ModelContributor> contributors =
              Jdbc.query(
                  c, "SELECT account, role, share_bps, dataset FROM contributor WHERE model_id = ? ORDER BY idx",
                  rs -> new ModelContributor(rs.getString(1), AccountResource.ROLES.get(rs.getInt(2)), rs.getInt(3), RequestResource.hex(rs.getBytes(4))),
                  modelId);
          Served served =
              Jdbc.one(
                      c,
                      """
                      SELECT count(*), count(*) FILTER (WHERE o.kind = 'SETTLED'), count(*) FILTER (WHERE o.kind = 'FAILED'),
                             count(*) FILTER (WHERE o.kind = 'EXPIRED'), count(*) FILTER (WHERE o.kind IS NULL)
                      FROM request r LEFT JOIN outcome o ON o.request_id = r.request_id WHERE r.model_id = ?
                      """,
                      rs -> new Served(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)), modelId)
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
                      rs -> new BigInteger[] {Jdbc.wei(rs, "fees"), Jdbc.wei(rs, "protocol"), Jdbc.wei(rs, "workers"), Jdbc.wei(rs, "pool")}, modelId)
                  .orElseThrow();
          Map<String, BigInteger> byRole = new LinkedHashMap<>();
          for (String role : List.of("author", "data", "other")) {
            byRole.put(role, BigInteger.ZERO);
          }
          for (Object[] row :
              Jdbc.query(
                  c, "SELECT role, sum(amount) AS amount FROM ledger WHERE kind = 'SHARE' AND model_id = ? GROUP BY role",
                  rs -> new Object[] {rs.getInt(1), Jdbc.wei(rs, "amount")}, modelId)) {
            byRole.merge(AccountResource.ROLES.get((Integer) row[0]), (BigInteger) row[1], BigInteger::add);
          }
          BigInteger pool = AccountResource.pool(c, modelId);
          List<PoolShares.Contributor> list = AccountResource.contributors(c, modelId);
          BigInteger[] shares = PoolShares.divide(pool, list);
          for (int j = 0; j < shares.length; j++) {
            byRole.merge(AccountResource.ROLES.get(list.get(j).role()), shares[j], BigInteger::add);
          }
          Map<String, String> roles = new LinkedHashMap<>();
          byRole.forEach((k, v) -> roles.put(k, v.toString()));
          return new ModelView(
              summary(c, m), contributors, served,
              new Earnings(sums[0].toString(), sums[1].toString(), sums[2].toString(), sums[3].toString(), roles), pool.toString());
        });
  }

  private static ModelSummary summary(Connection c, ModelEntity m) throws SQLException {
    Map<String, String> latest = new LinkedHashMap<>();
    for (String[] ch :
        Jdbc.query(
            c, "SELECT kind, value FROM model_change WHERE model_id = ? ORDER BY block_number, log_index",
            rs -> new String[] {rs.getString(1), rs.getString(2)}, m.modelId)) {
      latest.put(ch[0], ch[1]);
    }
    return new ModelSummary(
        m.modelId, latest.getOrDefault("OWNER", m.owner), Hashes.hex(m.sha256), m.uri, latest.getOrDefault("FEE", m.fee.toBigInteger().toString()),
        m.quorum, latest.containsKey("RETIRED"), latest.containsKey("VERSION_OF") ? Long.valueOf(latest.get("VERSION_OF")) : null, m.blockNumber,
        m.txHash);
  }

  // ------------------------------------------------------------------ datasets

  public record DatasetSummary(String sha256, String provider, String uri, long block, String tx) {}

  public record TrainedModel(long modelId, int shareBps) {}

  /** A dataset, the models that name it, and what its provider earned from them (distributed or pending). */
  public record DatasetView(DatasetSummary dataset, List<TrainedModel> models, String providerEarnings) {}

  @GET
  @Path("/datasets")
  @Operation(summary = "Datasets, in registration order")
  public Page<DatasetSummary> datasets(@QueryParam("after") String after, @QueryParam("limit") Integer limit) {
    int size = ApiErrors.limit(limit);
    List<DatasetEntity> found;
    if (after == null) {
      found = DatasetEntity.find("order by blockNumber, logIndex").page(0, size).list();
    } else {
      String[] at = after.split(":");
      if (at.length != 2 || !at[0].matches("\\d{1,18}") || !at[1].matches("\\d{1,9}")) {
        throw ApiErrors.badRequest("after is the cursor a previous page returned (block:logIndex), got '" + after + "'");
      }
      found =
          DatasetEntity.find(
                  "blockNumber > ?1 or (blockNumber = ?1 and logIndex > ?2) order by blockNumber, logIndex", Long.parseLong(at[0]),
                  Integer.parseInt(at[1]))
              .page(0, size)
              .list();
    }
    List<DatasetSummary> items = found.stream().map(d -> new DatasetSummary(Hashes.hex(d.sha256), d.provider, d.uri, d.blockNumber, d.txHash)).toList();
    DatasetEntity last = found.isEmpty() ? null : found.get(found.size() - 1);
    return new Page<>(items, found.size() < size ? null : last.blockNumber + ":" + last.logIndex);
  }

  @GET
  @Path("/datasets/{sha256}")
  @Operation(summary = "A dataset: the models trained on it and its provider's earnings from them")
  public DatasetView dataset(@PathParam("sha256") String sha256) {
    byte[] hash = ApiErrors.hash("a dataset's sha256", sha256);
    DatasetEntity d = DatasetEntity.<DatasetEntity>findByIdOptional(hash).orElseThrow(() -> ApiErrors.notFound("dataset " + sha256 + " is not registered"));
    return Jdbc.tx(
        dataSource,
        c -> {
          List<TrainedModel> models =
              Jdbc.query(
                  c, "SELECT model_id, share_bps FROM contributor WHERE dataset = ? ORDER BY model_id",
                  rs -> new TrainedModel(rs.getLong(1), rs.getInt(2)), (Object) hash);
          BigInteger earned = BigInteger.ZERO;
          for (TrainedModel m : models) {
            earned =
                earned.add(
                    Jdbc.one(
                            c, "SELECT COALESCE(sum(amount), 0) AS amount FROM ledger WHERE kind = 'SHARE' AND account = ? AND model_id = ?",
                            rs -> Jdbc.wei(rs, "amount"), d.provider, m.modelId())
                        .orElseThrow());
            List<PoolShares.Contributor> list = AccountResource.contributors(c, m.modelId());
            BigInteger[] shares = PoolShares.divide(AccountResource.pool(c, m.modelId()), list);
            for (int j = 0; j < shares.length; j++) {
              if (list.get(j).account().equals(d.provider)) {
                earned = earned.add(shares[j]);
              }
            }
          }
          return new DatasetView(new DatasetSummary(Hashes.hex(d.sha256), d.provider, d.uri, d.blockNumber, d.txHash), models, earned.toString());
        });
  }

  // ------------------------------------------------------------------ workers

  /**
   * A worker key: its operator, stake, what it signed, and slashes.
   *
   * @param stake active stake now
   * @param unbonding stake waiting for the unbonding delay
   * @param banned slashed: never active again
   * @param receipts settled receipts it signed
   * @param failures signed failures (refunds) it signed
   * @param earned worker parts of the receipts it signed (credited to its operator)
   */
  public record WorkerView(String signer, String operator, String stake, String unbonding, boolean banned, long receipts, long failures, String earned, long block, String tx) {}

  @GET
  @Path("/workers")
  @Operation(summary = "Workers, by signing key")
  public Page<WorkerView> workers(@QueryParam("after") String after, @QueryParam("limit") Integer limit) {
    int size = ApiErrors.limit(limit);
    String from = after == null ? "" : ApiErrors.address(after);
    List<WorkerEntity> found = WorkerEntity.find("signer > ?1", Sort.by("signer"), from).page(0, size).list();
    List<WorkerView> items = Jdbc.tx(dataSource, c -> {
      List<WorkerView> out = new ArrayList<>();
      for (WorkerEntity w : found) {
        out.add(worker(c, w));
      }
      return out;
    });
    return Page.of(items, size, WorkerView::signer);
  }

  @GET
  @Path("/workers/{signer}")
  @Operation(summary = "A worker: stake, receipts served, failures, slashes")
  public WorkerView worker(@PathParam("signer") String signer) {
    String key = ApiErrors.address(signer);
    WorkerEntity w = WorkerEntity.<WorkerEntity>findByIdOptional(key).orElseThrow(() -> ApiErrors.notFound("worker " + key + " is not registered"));
    return Jdbc.tx(dataSource, c -> worker(c, w));
  }

  private static WorkerView worker(Connection c, WorkerEntity w) throws SQLException {
    BigInteger stake = BigInteger.ZERO;
    BigInteger unbonding = BigInteger.ZERO;
    boolean banned = false;
    for (Object[] e :
        Jdbc.query(
            c, "SELECT kind, amount, stake FROM stake_event WHERE signer = ? ORDER BY block_number, log_index",
            rs -> new Object[] {rs.getString(1), Jdbc.wei(rs, "amount"), Jdbc.wei(rs, "stake")}, w.signer)) {
      switch ((String) e[0]) {
        case "UNBONDING" -> {
          unbonding = unbonding.add((BigInteger) e[1]);
          stake = (BigInteger) e[2];
        }
        case "WITHDRAWN" -> unbonding = BigInteger.ZERO;
        case "SLASHED" -> {
          stake = BigInteger.ZERO;
          unbonding = BigInteger.ZERO;
          banned = true;
        }
        default -> stake = (BigInteger) e[2];
      }
    }
    Object[] served =
        Jdbc.one(
                c,
                """
                SELECT count(*) FILTER (WHERE o.kind = 'SETTLED'), count(*) FILTER (WHERE o.kind = 'FAILED'),
                       COALESCE(sum(o.worker_each) FILTER (WHERE o.kind = 'SETTLED'), 0) AS earned
                FROM outcome_signer s JOIN outcome o ON o.request_id = s.request_id WHERE s.signer = ?
                """,
                rs -> new Object[] {rs.getLong(1), rs.getLong(2), Jdbc.wei(rs, "earned")}, w.signer)
            .orElseThrow();
    return new WorkerView(
        w.signer, w.operator, stake.toString(), unbonding.toString(), banned, (long) served[0], (long) served[1], served[2].toString(), w.blockNumber,
        w.txHash);
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
  public record Stats(long models, long datasets, long workers, Map<String, Long> requests, String fees, String claimed, long indexedBlock) {}

  @GET
  @Path("/stats")
  @Operation(summary = "Network statistics")
  public Stats stats() {
    return Jdbc.tx(
        dataSource,
        c -> {
          long[] counts =
              Jdbc.one(
                      c, "SELECT (SELECT count(*) FROM model), (SELECT count(*) FROM dataset), (SELECT count(*) FROM worker)",
                      rs -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                  .orElseThrow();
          Map<String, Long> byState = new LinkedHashMap<>();
          for (String s : List.of("PENDING", "SETTLED", "FAILED", "EXPIRED")) {
            byState.put(s, 0L);
          }
          for (Object[] row :
              Jdbc.query(
                  c, "SELECT COALESCE(o.kind, 'PENDING'), count(*) FROM request r LEFT JOIN outcome o ON o.request_id = r.request_id GROUP BY 1",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
            byState.put((String) row[0], (Long) row[1]);
          }
          BigInteger fees = Jdbc.one(c, "SELECT COALESCE(sum(fee), 0) AS v FROM request", rs -> Jdbc.wei(rs, "v")).orElseThrow();
          BigInteger claimed = Jdbc.one(c, "SELECT COALESCE(sum(amount), 0) AS v FROM claim", rs -> Jdbc.wei(rs, "v")).orElseThrow();
          long block = Jdbc.one(c, "SELECT COALESCE(max(block_number), -1) FROM checkpoint", rs -> rs.getLong(1)).orElseThrow();
          return new Stats(counts[0], counts[1], counts[2], byState, fees.toString(), claimed.toString(), block);
        });
  }
}
