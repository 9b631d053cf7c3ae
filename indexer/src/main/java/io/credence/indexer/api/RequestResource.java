package io.credence.indexer.api;

import io.credence.protocol.settlement.PoolShares;
import io.credence.indexer.model.RequestEntity;
import io.credence.protocol.Hashes;
import io.credence.protocol.store.Jdbc;
import io.quarkus.panache.common.Parameters;
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
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Requests, and each one's receipt with its full provenance. Amounts are wei as decimal strings. */
@Path("/v1/requests")
@Produces(MediaType.APPLICATION_JSON)
public class RequestResource {
  private static final Set<String> STATES = Set.of("PENDING", "SETTLED", "FAILED", "EXPIRED");

  @Inject DataSource dataSource;

  /** A request in a list. */
  public record RequestSummary(
      long requestId, long modelId, String requester, String fee, long deadline, String state, long block, String tx) {}

  @GET
  @Operation(summary = "Requests, oldest first, by requester, model and state (PENDING, SETTLED, FAILED, EXPIRED)")
  public Page<RequestSummary> list(
      @QueryParam("requester") String requester,
      @QueryParam("model") String model,
      @QueryParam("state") String state,
      @QueryParam("after") String after,
      @QueryParam("limit") Integer limit) {
    int size = ApiErrors.limit(limit);
    StringBuilder q = new StringBuilder("requestId > :after");
    Parameters p = Parameters.with("after", after == null ? 0L : ApiErrors.id("after", after));
    if (requester != null) {
      q.append(" and requester = :requester");
      p.and("requester", ApiErrors.address(requester));
    }
    if (model != null) {
      q.append(" and modelId = :model");
      p.and("model", ApiErrors.id("model", model));
    }
    if (state != null) {
      String s = state.toUpperCase(Locale.ROOT);
      if (!STATES.contains(s)) {
        throw ApiErrors.badRequest("state is one of " + STATES + ", got '" + state + "'");
      }
      if (s.equals("PENDING")) {
        q.append(" and outcome is null");
      } else {
        q.append(" and outcome.kind = :state");
        p.and("state", s);
      }
    }
    List<RequestEntity> found = RequestEntity.find(q.toString(), Sort.by("requestId"), p).page(0, size).list();
    List<RequestSummary> items =
        found.stream()
            .map(r -> new RequestSummary(r.requestId, r.modelId, r.requester, r.fee.toBigInteger().toString(), r.deadline, r.state(), r.blockNumber, r.txHash))
            .toList();
    return Page.of(items, size, r -> Long.toString(r.requestId()));
  }

  /** A contributor of the model, with the dataset it provided (if any). */
  public record ContributorView(String account, String role, int shareBps, DatasetRef dataset) {}

  public record DatasetRef(String sha256, String uri, String provider) {}

  public record ModelRef(long modelId, String sha256, String uri, int quorum) {}

  public record SignerView(String signer, String operator, Long executedAt, String signature) {}

  public record OutcomeView(String kind, String output, String outputHash, Integer reason, String detailHash, String refund, long block, String tx) {}

  public record WorkerPart(String signer, String operator, String amount) {}

  public record ContributorPart(String account, String role, int shareBps, String amount) {}

  /**
   * How a settled request's fee was divided: the protocol's part, each signing worker's part
   * (credited to its operator), and the model's contributors' part split by their shares as the
   * vault divides a pool (contributor 0 takes the rounding remainder; the vault divides pools
   * when they are distributed, so an account's claimable adds its shares over all pending fees).
   */
  public record Split(String fee, String protocol, List<WorkerPart> workers, String contributorsTotal, List<ContributorPart> contributors) {}

  public record Note(String kind, String detail, long block, String tx) {}

  /** A receipt with its provenance. */
  public record ReceiptView(
      long requestId,
      String state,
      String requester,
      ModelRef model,
      String inputHash,
      String fee,
      long deadline,
      String callback,
      long block,
      String tx,
      List<ContributorView> contributors,
      OutcomeView outcome,
      List<SignerView> signers,
      Split split,
      List<Note> notes) {}

  @GET
  @Path("/{id}")
  @Operation(summary = "A request and its receipt: model and hash, contributors and datasets, signers, transaction, the split in wei")
  public ReceiptView get(@PathParam("id") String id) {
    long requestId = ApiErrors.id("a request id", id);
    return Jdbc.tx(dataSource, c -> receipt(c, requestId));
  }

  private static ReceiptView receipt(Connection c, long id) throws SQLException {
    Object[] r =
        Jdbc.one(
                c,
                """
                SELECT r.model_id, r.requester, r.input_hash, r.fee, r.deadline, r.callback, r.block_number, r.tx_hash, m.sha256, m.uri, m.quorum
                FROM request r JOIN model m ON m.model_id = r.model_id WHERE r.request_id = ?
                """,
                rs ->
                    new Object[] {
                      rs.getLong(1), rs.getString(2), rs.getBytes(3), Jdbc.wei(rs, "fee"), rs.getLong(5), rs.getString(6), rs.getLong(7),
                      rs.getString(8), rs.getBytes(9), rs.getString(10), rs.getInt(11)
                    },
                id)
            .orElseThrow(() -> ApiErrors.notFound("request " + id + " is not indexed"));
    long modelId = (long) r[0];
    BigInteger fee = (BigInteger) r[3];
    List<ContributorView> contributors =
        Jdbc.query(
            c,
            """
            SELECT ct.account, ct.role, ct.share_bps, d.sha256, d.uri, d.provider
            FROM contributor ct LEFT JOIN dataset d ON d.sha256 = ct.dataset WHERE ct.model_id = ? ORDER BY ct.idx
            """,
            rs ->
                new ContributorView(
                    rs.getString(1), AccountResource.ROLES.get(rs.getInt(2)), rs.getInt(3),
                    rs.getBytes(4) == null ? null : new DatasetRef(Hashes.hex(rs.getBytes(4)), rs.getString(5), rs.getString(6))),
            modelId);
    OutcomeView outcome =
        Jdbc.one(
                c, "SELECT kind, output, output_hash, reason, detail_hash, refund, block_number, tx_hash FROM outcome WHERE request_id = ?",
                rs ->
                    new OutcomeView(
                        rs.getString(1), hex(rs.getBytes(2)), hex(rs.getBytes(3)), (Integer) rs.getObject(4), hex(rs.getBytes(5)),
                        rs.getBigDecimal(6) == null ? null : Jdbc.wei(rs, "refund").toString(), rs.getLong(7), rs.getString(8)),
                id)
            .orElse(null);
    List<SignerView> signers =
        Jdbc.query(
            c, "SELECT signer, operator, executed_at, signature FROM outcome_signer WHERE request_id = ? ORDER BY k",
            rs -> new SignerView(rs.getString(1), rs.getString(2), (Long) rs.getObject(3), hex(rs.getBytes(4))), id);
    Split split = null;
    if (outcome != null && outcome.kind().equals("SETTLED")) {
      BigInteger[] parts =
          Jdbc.one(
                  c, "SELECT protocol_part, worker_each, pool_part FROM outcome WHERE request_id = ?",
                  rs -> new BigInteger[] {Jdbc.wei(rs, "protocol_part"), Jdbc.wei(rs, "worker_each"), Jdbc.wei(rs, "pool_part")}, id)
              .orElseThrow();
      List<WorkerPart> workers = new ArrayList<>();
      for (SignerView s : signers) {
        workers.add(new WorkerPart(s.signer(), s.operator(), parts[1].toString()));
      }
      List<PoolShares.Contributor> list = AccountResource.contributors(c, modelId);
      BigInteger[] shares = PoolShares.divide(parts[2], list);
      List<ContributorPart> cparts = new ArrayList<>();
      for (int j = 0; j < shares.length; j++) {
        PoolShares.Contributor ct = list.get(j);
        cparts.add(new ContributorPart(ct.account(), AccountResource.ROLES.get(ct.role()), ct.shareBps(), shares[j].toString()));
      }
      split = new Split(fee.toString(), parts[0].toString(), workers, parts[2].toString(), cparts);
    }
    List<Note> notes =
        Jdbc.query(
            c, "SELECT kind, detail, block_number, tx_hash FROM request_note WHERE request_id = ? ORDER BY block_number, log_index",
            rs -> new Note(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)), id);
    return new ReceiptView(
        id, outcome == null ? "PENDING" : outcome.kind(), (String) r[1], new ModelRef(modelId, Hashes.hex((byte[]) r[8]), (String) r[9], (int) r[10]),
        Hashes.hex((byte[]) r[2]), fee.toString(), (long) r[4], (String) r[5], (long) r[6], (String) r[7], contributors, outcome, signers, split,
        notes);
  }

  static String hex(byte[] b) {
    return b == null ? null : Hashes.hex(b);
  }
}
