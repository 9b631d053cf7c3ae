package io.credence.indexer.store;

import io.credence.protocol.settlement.PoolShares;
import io.credence.protocol.store.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** What an account earned, by role, what it claimed, and what it can claim now. */
@ApplicationScoped
public class AccountStore {
  /** The registry's contributor roles by code. */
  static final Map<Integer, String> ROLES = Map.of(1, "author", 2, "data", 3, "other");

  private final DataSource dataSource;

  @Inject
  public AccountStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * An account's money. Amounts are wei, as decimal strings.
   *
   * @param address the account
   * @param earned credited or accrued to it by role: worker, author, data, other (contributor
   *     shares, distributed or still in a model's pool), refund (failures, expiries and proven
   *     faults), slashReward, protocol (the treasury's fees, collected or accrued), challengeReward
   *     (a proven fault it caught), jurorPay (its workers' verdicts), bondShare (its workers' share
   *     of a rejected challenge's bond), bondReturned (its challenge bonds credited back), gas (the
   *     gas the hub paid it back from requests' allowances for the settlements, failures, expiries
   *     and signed requests it submitted: what a relayer earned back), gasReturned (the unspent
   *     rest of its requests' gas allowances)
   * @param claimed paid out by claims
   * @param deposited credited to its vault balance by deposits (deposit, depositFor)
   * @param signedEscrow taken from its vault balance by the requests it signed off-chain: their
   *     fees and gas allowances
   * @param balance credited to its vault balance and not yet claimed (the vault's balanceOf)
   * @param pending its shares of models' undistributed pools, which a claim naming the model
   *     distributes first (of what the models' parents leave; derived models' pools not counted
   *     until distributed into its models', as the hub counts them)
   * @param protocolAccrued when it is the treasury: protocol fees accrued in the hub, not yet
   *     collected
   * @param claimable what claim(all its models) would pay now: balance + pending + protocolAccrued;
   *     equals the vault's claimable(address)
   * @param bonds its challenges' bonds
   * @param rewards what catching faults and sitting on juries earned it
   */
  public record AccountView(
      String address,
      Map<String, String> earned,
      String claimed,
      String balance,
      List<Pending> pending,
      String protocolAccrued,
      String claimable,
      Bonds bonds,
      Rewards rewards,
      String deposited,
      String signedEscrow) {}

  /**
   * Challenge bonds an account posted, in wei.
   *
   * @param challenges challenges it opened
   * @param posted their bonds
   * @param open bonds of challenges not yet resolved
   * @param returned credited back (a proven fault; without a majority, less the jurors' pay)
   * @param forfeited lost: a rejected challenge's whole bond, the jurors' pay of one without a
   *     majority
   */
  public record Bonds(
      long challenges, String posted, String open, String returned, String forfeited) {}

  /**
   * @param challenger rewards for faults it caught (by a challenge or by drawing an audit)
   * @param juror its workers' pay as jurors (credited to it as their operator)
   */
  public record Rewards(String challenger, String juror) {}

  /** A share of one model's undistributed pool. */
  public record Pending(long modelId, String role, String amount) {}

  /** {@code account}'s money (lower-case address). */
  public AccountView account(String account) {
    return Jdbc.tx(dataSource, c -> view(c, account));
  }

  private static AccountView view(Connection c, String account) throws SQLException {
    Map<String, BigInteger> earned = new LinkedHashMap<>();
    for (String k :
        List.of(
            "worker",
            "author",
            "data",
            "other",
            "refund",
            "slashReward",
            "protocol",
            "challengeReward",
            "jurorPay",
            "bondShare",
            "bondReturned",
            "gas",
            "gasReturned",
            "courtGas",
            "feedback")) {
      earned.put(k, BigInteger.ZERO);
    }
    BigInteger balance = BigInteger.ZERO;
    BigInteger claimed = BigInteger.ZERO;
    BigInteger deposited = BigInteger.ZERO;
    BigInteger signedEscrow = BigInteger.ZERO;
    for (Object[] row :
        Jdbc.query(
            c,
            "SELECT kind, role, sum(amount) AS amount FROM ledger WHERE account = ? GROUP BY kind, role",
            rs -> new Object[] {rs.getString(1), rs.getObject(2), Jdbc.wei(rs, "amount")},
            account)) {
      String kind = (String) row[0];
      BigInteger amount = (BigInteger) row[2];
      balance = balance.add(amount);
      switch (kind) {
        case "CLAIM" -> claimed = claimed.subtract(amount);
        case "SHARE" -> earned.merge(ROLES.get((Integer) row[1]), amount, BigInteger::add);
        case "WORKER" -> earned.merge("worker", amount, BigInteger::add);
        case "REFUND" -> earned.merge("refund", amount, BigInteger::add);
        case "SLASH_REWARD" -> earned.merge("slashReward", amount, BigInteger::add);
        case "PROTOCOL" -> earned.merge("protocol", amount, BigInteger::add);
        case "CHALLENGE_REWARD" -> earned.merge("challengeReward", amount, BigInteger::add);
        case "JUROR_PAY" -> earned.merge("jurorPay", amount, BigInteger::add);
        case "BOND_SHARE" -> earned.merge("bondShare", amount, BigInteger::add);
        case "BOND_RETURN" -> earned.merge("bondReturned", amount, BigInteger::add);
        case "GAS" -> earned.merge("gas", amount, BigInteger::add);
        case "GAS_RETURN" -> earned.merge("gasReturned", amount, BigInteger::add);
        case "COURT_GAS" -> earned.merge("courtGas", amount, BigInteger::add);
        case "FEEDBACK" -> earned.merge("feedback", amount, BigInteger::add);
        case "DEPOSIT" -> deposited = deposited.add(amount);
        case "SIGNED_ESCROW" -> signedEscrow = signedEscrow.subtract(amount);
        default -> throw new IllegalStateException("unknown ledger kind " + kind);
      }
    }
    List<Pending> pending = new ArrayList<>();
    BigInteger pendingTotal = BigInteger.ZERO;
    for (long modelId :
        Jdbc.query(
            c,
            "SELECT DISTINCT model_id FROM contributor WHERE account = ? ORDER BY model_id",
            rs -> rs.getLong(1),
            account)) {
      BigInteger pool = pool(c, modelId);
      if (pool.signum() == 0) {
        continue;
      }
      List<PoolShares.Contributor> list = JdbcIndexReads.contributors(c, modelId);
      BigInteger[] shares = JdbcIndexReads.contributorShares(c, modelId, list, pool);
      for (int j = 0; j < shares.length; j++) {
        if (list.get(j).account().equals(account) && shares[j].signum() > 0) {
          String role = ROLES.get(list.get(j).role());
          pending.add(new Pending(modelId, role, shares[j].toString()));
          earned.merge(role, shares[j], BigInteger::add);
          pendingTotal = pendingTotal.add(shares[j]);
        }
      }
    }
    BigInteger accrued = BigInteger.ZERO;
    if (account.equals(treasury(c))) {
      accrued =
          Jdbc.one(
                  c,
                  "SELECT COALESCE(sum(amount), 0) AS amount FROM protocol_ledger",
                  rs -> Jdbc.wei(rs, "amount"))
              .orElseThrow();
      // what accrued paid for the court's gas and for rating rebates is shown as spent (courtGas,
      // feedback: negative), the share gross
      BigInteger spent = BigInteger.ZERO;
      for (String kind : List.of("COURT_GAS", "FEEDBACK")) {
        BigInteger paid =
            Jdbc.one(
                    c,
                    "SELECT COALESCE(sum(amount), 0) AS amount FROM protocol_ledger WHERE kind = ?",
                    rs -> Jdbc.wei(rs, "amount"),
                    kind)
                .orElseThrow();
        earned.merge(kind.equals("COURT_GAS") ? "courtGas" : "feedback", paid, BigInteger::add);
        spent = spent.add(paid);
      }
      earned.merge("protocol", accrued.subtract(spent), BigInteger::add);
    }
    Object[] b =
        Jdbc.one(
                c,
                """
                SELECT count(*), COALESCE(sum(d.bond), 0) AS posted,
                       COALESCE(sum(d.bond) FILTER (WHERE r.dispute_id IS NULL), 0) AS open
                FROM dispute d LEFT JOIN dispute_resolution r ON r.dispute_id = d.dispute_id
                WHERE d.challenger = ? AND d.kind = 2
                """,
                rs -> new Object[] {rs.getLong(1), Jdbc.wei(rs, "posted"), Jdbc.wei(rs, "open")},
                account)
            .orElseThrow();
    BigInteger posted = (BigInteger) b[1];
    BigInteger open = (BigInteger) b[2];
    BigInteger returned = earned.get("bondReturned");
    Bonds bonds =
        new Bonds(
            (long) b[0],
            posted.toString(),
            open.toString(),
            returned.toString(),
            posted.subtract(open).subtract(returned).toString());
    Rewards rewards =
        new Rewards(earned.get("challengeReward").toString(), earned.get("jurorPay").toString());
    Map<String, String> earnedOut = new LinkedHashMap<>();
    earned.forEach((k, v) -> earnedOut.put(k, v.toString()));
    return new AccountView(
        account,
        earnedOut,
        claimed.toString(),
        balance.toString(),
        pending,
        accrued.toString(),
        balance.add(pendingTotal).add(accrued).toString(),
        bonds,
        rewards,
        deposited.toString(),
        signedEscrow.toString());
  }

  /** What a model's pool holds now: its settlements' pool parts less its distributions. */
  static BigInteger pool(Connection c, long modelId) throws SQLException {
    return Jdbc.one(
            c,
            "SELECT COALESCE(sum(amount), 0) AS amount FROM pool_ledger WHERE model_id = ?",
            rs -> Jdbc.wei(rs, "amount"),
            modelId)
        .orElseThrow();
  }

  static String treasury(Connection c) throws SQLException {
    return Jdbc.one(
            c,
            "SELECT treasury FROM treasury_change ORDER BY block_number DESC, log_index DESC LIMIT 1",
            rs -> rs.getString(1))
        .orElse(null);
  }
}
