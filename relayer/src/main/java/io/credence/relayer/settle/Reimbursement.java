package io.credence.relayer.settle;

import io.credence.protocol.settlement.GasCharges;
import io.credence.relayer.store.RequestStore.Ready;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.web3j.utils.Numeric;

/**
 * Whether the requests of a batch pay back what sending them costs the relayer at the price it pays
 * now (the latest base fee plus its tip): each request's gas as the hub will count it ({@link
 * GasCharges}, its callback at the whole {@code callbackGas}), priced at that price, must be within
 * both its {@code maxFeePerGas} and its allowance. The hub pays back at {@code min(tx.gasprice,
 * maxFeePerGas)}, so a request whose cap is below the price, or whose allowance is too small, would
 * cost the relayer more than it gets: it waits (the price may fall) or expires, refunded in full.
 */
public final class Reimbursement {
  /** Why a request waits. */
  public enum Shortfall {
    /** The request pays back less per gas than gas costs now. */
    MAX_FEE_BELOW_PRICE,
    /** The request's allowance does not cover its gas at today's price. */
    ALLOWANCE_TOO_SMALL;

    /** Its name in metrics and in the request's status: {@code max_fee_below_price}, … */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A batch split into what pays its way and what waits, with why. */
  public record Split(List<Ready> send, Map<Ready, Shortfall> waiting) {}

  private Reimbursement() {}

  /**
   * The gas the hub will charge {@code r} in a transaction of {@code n} items, its callback counted
   * at the most it may use; {@code firstOfRequester} adds the credit of what is left.
   */
  public static long gas(Ready r, int n, boolean firstOfRequester) {
    long gas =
        "OK".equals(r.outcome())
            ? GasCharges.receipt(n, r.quorum(), r.output().length)
            : GasCharges.failure(n, r.quorum());
    if (firstOfRequester) {
      gas += GasCharges.REQUESTER_CREDIT;
    }
    long callbackGas = r.request().callbackGas.longValueExact();
    if (callbackGas > 0 && Numeric.toBigInt(r.request().callback).signum() != 0) {
      gas += callbackGas + GasCharges.CALLBACK;
    }
    return gas;
  }

  /** Why {@code r} does not pay back {@code gas} at {@code price}, or null when it does. */
  public static Shortfall shortfall(Ready r, long gas, BigInteger price) {
    if (r.request().maxFeePerGas.compareTo(price) < 0) {
      return Shortfall.MAX_FEE_BELOW_PRICE;
    }
    if (r.request().gasAllowance.compareTo(BigInteger.valueOf(gas).multiply(price)) < 0) {
      return Shortfall.ALLOWANCE_TOO_SMALL;
    }
    return null;
  }

  /**
   * Keeps the requests of {@code batch} that pay their way at {@code price} in a transaction of
   * those kept (fewer items cost each more, so this is repeated until nothing more drops out).
   */
  public static Split split(List<Ready> batch, BigInteger price) {
    List<Ready> send = new ArrayList<>(batch);
    Map<Ready, Shortfall> wait = new LinkedHashMap<>();
    boolean changed = true;
    while (changed && !send.isEmpty()) {
      changed = false;
      Set<String> requesters = new HashSet<>();
      List<Ready> kept = new ArrayList<>(send.size());
      for (Ready r : send) {
        boolean first = requesters.add(r.request().requester.toLowerCase(java.util.Locale.ROOT));
        Shortfall why = shortfall(r, gas(r, send.size(), first), price);
        if (why == null) {
          kept.add(r);
        } else {
          wait.put(r, why);
          changed = true;
        }
      }
      send = kept;
    }
    return new Split(send, wait);
  }
}
