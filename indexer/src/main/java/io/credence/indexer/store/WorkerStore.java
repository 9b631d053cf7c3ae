package io.credence.indexer.store;

import io.credence.indexer.model.WorkerEntity;
import io.credence.protocol.store.Jdbc;
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
 * Workers as the explorer reads them: each signing key's registration through its Panache entity,
 * what it signed, failed and was slashed summed in SQL. Amounts are wei as decimal strings.
 */
@ApplicationScoped
public class WorkerStore {
  private final DataSource dataSource;

  @Inject
  public WorkerStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * A worker key: its operator, stake, what it signed, and slashes.
   *
   * @param stake active stake now
   * @param unbonding stake waiting for the unbonding delay
   * @param banned slashed: never active again
   * @param receipts settled receipts it signed
   * @param failures signed failures (refunds) it signed
   * @param earned worker parts of the receipts it signed (credited to its operator)
   * @param audited disputes (audits and challenges) over answers it signed
   * @param faults those that proved its answer wrong
   * @param slashed stake taken from it: slashed for equivocation or seized for a proven fault
   * @param jurySeats juries it was drawn to
   * @param verdictsGiven verdicts it gave as a juror
   * @param jurorPay what its verdicts earned (credited to its operator)
   */
  public record WorkerView(
      String signer,
      String operator,
      String stake,
      String unbonding,
      boolean banned,
      long receipts,
      long failures,
      String earned,
      long audited,
      long faults,
      String slashed,
      long jurySeats,
      long verdictsGiven,
      String jurorPay,
      long block,
      String tx) {}

  /** Worker keys above {@code after} (lower-case; "" from the first), by key. */
  public List<WorkerView> workers(String after, int limit) {
    List<WorkerEntity> found =
        WorkerEntity.find("signer > ?1", Sort.by("signer"), after).page(0, limit).list();
    return Jdbc.tx(
        dataSource,
        c -> {
          List<WorkerView> out = new ArrayList<>();
          for (WorkerEntity w : found) {
            out.add(worker(c, w));
          }
          return out;
        });
  }

  public Optional<WorkerView> worker(String signer) {
    Optional<WorkerEntity> w = WorkerEntity.findByIdOptional(signer);
    return w.map(entity -> Jdbc.tx(dataSource, c -> worker(c, entity)));
  }

  private static WorkerView worker(Connection c, WorkerEntity w) throws SQLException {
    BigInteger stake = BigInteger.ZERO;
    BigInteger unbonding = BigInteger.ZERO;
    BigInteger slashed = BigInteger.ZERO;
    boolean banned = false;
    for (Object[] e :
        Jdbc.query(
            c,
            "SELECT kind, amount, stake FROM stake_event WHERE signer = ? ORDER BY block_number, log_index",
            rs -> new Object[] {rs.getString(1), Jdbc.wei(rs, "amount"), Jdbc.wei(rs, "stake")},
            w.signer)) {
      switch ((String) e[0]) {
        case "UNBONDING" -> {
          unbonding = unbonding.add((BigInteger) e[1]);
          stake = (BigInteger) e[2];
        }
        case "WITHDRAWN" -> unbonding = BigInteger.ZERO;
        case "SLASHED", "SEIZED" -> {
          slashed = slashed.add((BigInteger) e[1]);
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
                rs -> new Object[] {rs.getLong(1), rs.getLong(2), Jdbc.wei(rs, "earned")},
                w.signer)
            .orElseThrow();
    Object[] court =
        Jdbc.one(
                c,
                """
                SELECT (SELECT count(*) FROM dispute_signer s WHERE s.signer = ?1),
                       (SELECT count(*) FROM dispute_signer s JOIN dispute_resolution r ON r.dispute_id = s.dispute_id
                        WHERE s.signer = ?1 AND r.state = 3),
                       (SELECT count(*) FROM juror j WHERE j.juror = ?1),
                       (SELECT count(*) FROM verdict v WHERE v.juror = ?1),
                       (SELECT COALESCE(sum(p.amount), 0) FROM juror_pay p WHERE p.juror = ?1) AS pay
                """
                    .replace("?1", "?"),
                rs ->
                    new Object[] {
                      rs.getLong(1),
                      rs.getLong(2),
                      rs.getLong(3),
                      rs.getLong(4),
                      Jdbc.wei(rs, "pay")
                    },
                w.signer,
                w.signer,
                w.signer,
                w.signer,
                w.signer)
            .orElseThrow();
    return new WorkerView(
        w.signer,
        w.operator,
        stake.toString(),
        unbonding.toString(),
        banned,
        (long) served[0],
        (long) served[1],
        served[2].toString(),
        (long) court[0],
        (long) court[1],
        slashed.toString(),
        (long) court[2],
        (long) court[3],
        court[4].toString(),
        w.blockNumber,
        w.txHash);
  }
}
