package io.credence.indexer.store;

import io.credence.indexer.model.RequestEntity;
import io.credence.protocol.Hashes;
import io.credence.protocol.model.ModelCard;
import io.credence.protocol.model.TensorLabels;
import io.credence.protocol.settlement.PoolShares;
import io.credence.protocol.settlement.RequestState;
import io.credence.protocol.store.Jdbc;
import io.credence.protocol.tensor.TensorFormatException;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Requests and each one's receipt with its full provenance, as the explorer reads them. Amounts are
 * wei as decimal strings.
 */
@ApplicationScoped
public class RequestStore {
  private final DataSource dataSource;
  private final ModelCards cards;
  private final BlockTimes times;

  @Inject
  public RequestStore(DataSource dataSource, ModelCards cards, BlockTimes times) {
    this.dataSource = dataSource;
    this.cards = cards;
    this.times = times;
  }

  /** A request in a list. */
  public record RequestSummary(
      long requestId,
      long modelId,
      String requester,
      String fee,
      long deadline,
      RequestState state,
      long block,
      String tx) {}

  /** Requests with ids above {@code after}, oldest first; null filters are not applied. */
  public List<RequestSummary> list(
      String requester, Long model, RequestState state, Long after, boolean newest, int limit) {
    // a page starts past its cursor: above it oldest first, below it newest first
    long cursor = after != null ? after : newest ? Long.MAX_VALUE : 0L;
    StringBuilder q = new StringBuilder(newest ? "requestId < :after" : "requestId > :after");
    Parameters p = Parameters.with("after", cursor);
    if (requester != null) {
      q.append(" and requester = :requester");
      p.and("requester", requester);
    }
    if (model != null) {
      q.append(" and modelId = :model");
      p.and("model", model);
    }
    if (state == RequestState.PENDING) {
      q.append(" and outcome is null");
    } else if (state != null) {
      q.append(" and outcome.kind = :state");
      p.and("state", state.name());
    }
    List<RequestEntity> found =
        RequestEntity.find(
                q.toString(),
                Sort.by("requestId", newest ? Sort.Direction.Descending : Sort.Direction.Ascending),
                p)
            .page(0, limit)
            .list();
    return found.stream()
        .map(r ->
            new RequestSummary(
                r.requestId,
                r.modelId,
                r.requester,
                r.fee.toBigInteger().toString(),
                r.deadline,
                r.state(),
                r.blockNumber,
                r.txHash))
        .toList();
  }

  /** A contributor of the model, with the dataset it provided (if any). */
  public record ContributorView(String account, String role, int shareBps, DatasetRef dataset) {}

  public record DatasetRef(String sha256, String uri, String provider) {}

  public record ModelRef(long modelId, String sha256, String uri, int quorum) {}

  /**
   * A signer of the outcome.
   *
   * @param executedAt unix seconds the worker says it ran the job (receipts only)
   */
  public record SignerView(String signer, String operator, Long executedAt, String signature) {}

  /**
   * A payload decoded as the canonical tensor encoding, labelled from the model's card.
   *
   * @param tensors the tensors, or null when the bytes are not canonical tensors
   * @param error why the bytes are not tensors, or null
   */
  public record Decoded(List<TensorLabels.Labelled> tensors, String error) {}

  /**
   * How the request ended.
   *
   * @param output the output bytes, hex (settled)
   * @param decodedOutput the output as tensors (settled)
   * @param gasCharged what closing it charged its gas allowance (paid to the transaction's
   *     submitter); null when unknown
   * @param gasReturned what of its gas allowance went back to the requester's vault balance; null
   *     when unknown
   */
  public record OutcomeView(
      RequestState kind,
      String output,
      Decoded decodedOutput,
      String outputHash,
      Integer reason,
      String detailHash,
      String refund,
      long block,
      String tx,
      String gasCharged,
      String gasReturned) {}

  public record WorkerPart(String signer, String operator, String amount) {}

  public record ContributorPart(String account, String role, int shareBps, String amount) {}

  /** What a parent model's pool takes of a derived model's contributors' part. */
  public record ParentPart(long modelId, int shareBps, String amount) {}

  /**
   * How a settled request's fee was divided: the protocol's part, each signing worker's part
   * (credited to its operator), and the model's contributors' part split by their shares as the
   * vault divides a pool (contributor 0 takes the rounding remainder; the vault divides pools when
   * they are distributed, so an account's claimable adds its shares over all pending fees). A
   * derived model's parents take their parts of the contributors' part first, as the vault does
   * when it distributes the pool; the contributors divide the rest.
   */
  public record Split(
      String fee,
      String protocol,
      List<WorkerPart> workers,
      String contributorsTotal,
      List<ParentPart> parents,
      List<ContributorPart> contributors) {}

  public record Note(String kind, String detail, long block, String tx) {}

  /**
   * A receipt with its provenance.
   *
   * @param input the input bytes, hex
   * @param decodedInput the input as tensors
   * @param gasAllowance what it escrowed to pay back the gas of its settlement, failure or expiry
   *     (a signed request: what was left after its submission was paid back)
   * @param maxFeePerGas the most per gas its allowance pays back
   * @param accountability the disputes over its answer and a one-line summary
   */
  public record ReceiptView(
      long requestId,
      RequestState state,
      String requester,
      ModelRef model,
      String inputHash,
      String input,
      Decoded decodedInput,
      String fee,
      long deadline,
      String callback,
      long block,
      String tx,
      List<ContributorView> contributors,
      OutcomeView outcome,
      List<SignerView> signers,
      Split split,
      List<Note> notes,
      DisputeStore.Accountability accountability,
      String gasAllowance,
      String maxFeePerGas) {}

  /** Request {@code id}'s receipt, if it is indexed. */
  public Optional<ReceiptView> receipt(long id) {
    return Jdbc.tx(dataSource, c -> receipt(c, id));
  }

  private record Head(
      long modelId,
      String requester,
      byte[] inputHash,
      BigInteger fee,
      long deadline,
      String callback,
      long block,
      String tx,
      ModelRef model,
      byte[] input,
      BigInteger gasAllowance,
      BigInteger maxFeePerGas) {}

  private Optional<ReceiptView> receipt(Connection c, long id) throws SQLException {
    Optional<Head> head =
        Jdbc.one(
            c,
            """
            SELECT r.model_id, r.requester, r.input_hash, r.fee, r.deadline, r.callback, r.block_number, r.tx_hash, m.sha256, m.uri, m.quorum, r.input,
                   r.gas_allowance, r.max_fee_per_gas
            FROM request r JOIN model m ON m.model_id = r.model_id WHERE r.request_id = ?
            """,
            rs ->
                new Head(
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getBytes(3),
                    Jdbc.wei(rs, "fee"),
                    rs.getLong(5),
                    rs.getString(6),
                    rs.getLong(7),
                    rs.getString(8),
                    new ModelRef(
                        rs.getLong(1), Hashes.hex(rs.getBytes(9)), rs.getString(10), rs.getInt(11)),
                    rs.getBytes(12),
                    Jdbc.wei(rs, "gas_allowance"),
                    Jdbc.wei(rs, "max_fee_per_gas")),
            id);
    if (head.isEmpty()) {
      return Optional.empty();
    }
    Head r = head.get();
    long modelId = r.modelId();
    ModelCard card = cards.of(r.model().uri());
    List<ContributorView> contributors =
        Jdbc.query(
            c,
            """
            SELECT ct.account, ct.role, ct.share_bps, d.sha256, d.uri, d.provider
            FROM contributor ct LEFT JOIN dataset d ON d.sha256 = ct.dataset WHERE ct.model_id = ? ORDER BY ct.idx
            """,
            rs ->
                new ContributorView(
                    rs.getString(1),
                    AccountStore.ROLES.get(rs.getInt(2)),
                    rs.getInt(3),
                    rs.getBytes(4) == null
                        ? null
                        : new DatasetRef(
                            Hashes.hex(rs.getBytes(4)), rs.getString(5), rs.getString(6))),
            modelId);
    OutcomeView outcome =
        Jdbc.one(
                c,
                """
                SELECT kind, output, output_hash, reason, detail_hash, refund, block_number, tx_hash, gas_charged, gas_returned
                FROM outcome WHERE request_id = ?
                """,
                rs ->
                    new OutcomeView(
                        RequestState.valueOf(rs.getString(1)),
                        hex(rs.getBytes(2)),
                        rs.getBytes(2) == null
                            ? null
                            : decode(rs.getBytes(2), card, TensorLabels.Side.OUTPUT),
                        hex(rs.getBytes(3)),
                        (Integer) rs.getObject(4),
                        hex(rs.getBytes(5)),
                        rs.getBigDecimal(6) == null ? null : Jdbc.wei(rs, "refund").toString(),
                        rs.getLong(7),
                        rs.getString(8),
                        rs.getBigDecimal(9) == null ? null : Jdbc.wei(rs, "gas_charged").toString(),
                        rs.getBigDecimal(10) == null
                            ? null
                            : Jdbc.wei(rs, "gas_returned").toString()),
                id)
            .orElse(null);
    List<SignerView> signers =
        Jdbc.query(
            c,
            "SELECT signer, operator, executed_at, signature FROM outcome_signer WHERE request_id = ? ORDER BY k",
            rs ->
                new SignerView(
                    rs.getString(1), rs.getString(2), (Long) rs.getObject(3), hex(rs.getBytes(4))),
            id);
    Split split = null;
    if (outcome != null && outcome.kind() == RequestState.SETTLED) {
      BigInteger[] parts =
          Jdbc.one(
                  c,
                  "SELECT protocol_part, worker_each, pool_part FROM outcome WHERE request_id = ?",
                  rs ->
                      new BigInteger[] {
                        Jdbc.wei(rs, "protocol_part"),
                        Jdbc.wei(rs, "worker_each"),
                        Jdbc.wei(rs, "pool_part")
                      },
                  id)
              .orElseThrow();
      List<WorkerPart> workers = new ArrayList<>();
      for (SignerView s : signers) {
        workers.add(new WorkerPart(s.signer(), s.operator(), parts[1].toString()));
      }
      List<PoolShares.Contributor> list = JdbcIndexReads.contributors(c, modelId);
      List<JdbcIndexReads.Parent> parents = JdbcIndexReads.parents(c, modelId);
      PoolShares.Lineage lineage = PoolShares.lineage(parts[2], JdbcIndexReads.shares(parents));
      List<ParentPart> pparts = new ArrayList<>();
      for (int p = 0; p < parents.size(); p++) {
        pparts.add(
            new ParentPart(
                parents.get(p).modelId(),
                parents.get(p).shareBps(),
                lineage.parents().get(p).toString()));
      }
      BigInteger[] shares = PoolShares.divide(lineage.rest(), list);
      List<ContributorPart> cparts = new ArrayList<>();
      for (int j = 0; j < shares.length; j++) {
        PoolShares.Contributor ct = list.get(j);
        cparts.add(
            new ContributorPart(
                ct.account(),
                AccountStore.ROLES.get(ct.role()),
                ct.shareBps(),
                shares[j].toString()));
      }
      split =
          new Split(
              r.fee().toString(),
              parts[0].toString(),
              workers,
              parts[2].toString(),
              pparts,
              cparts);
    }
    List<Note> notes =
        Jdbc.query(
            c,
            "SELECT kind, detail, block_number, tx_hash FROM request_note WHERE request_id = ? ORDER BY block_number, log_index",
            rs -> new Note(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)),
            id);
    return Optional.of(
        new ReceiptView(
            id,
            outcome == null ? RequestState.PENDING : outcome.kind(),
            r.requester(),
            r.model(),
            Hashes.hex(r.inputHash()),
            hex(r.input()),
            r.input() == null ? null : decode(r.input(), card, TensorLabels.Side.INPUT),
            r.fee().toString(),
            r.deadline(),
            r.callback(),
            r.block(),
            r.tx(),
            contributors,
            outcome,
            signers,
            split,
            notes,
            DisputeStore.accountability(
                c,
                id,
                modelId,
                outcome != null && outcome.kind() == RequestState.SETTLED ? outcome.block() : null,
                times),
            r.gasAllowance().toString(),
            r.maxFeePerGas().toString()));
  }

  /**
   * Any bytes may be submitted as an input or settled as an output: what is not tensors says so.
   */
  private static Decoded decode(byte[] payload, ModelCard card, TensorLabels.Side side) {
    try {
      return new Decoded(TensorLabels.decode(payload, card, side), null);
    } catch (TensorFormatException e) {
      return new Decoded(null, "not the canonical tensor encoding: " + e.getMessage());
    }
  }

  static String hex(byte[] b) {
    return b == null ? null : Hashes.hex(b);
  }
}
