package io.credence.protocol.settlement;

import java.math.BigInteger;

/**
 * The Java twin of the hub's {@code GasCharges} library: what a request's gas allowance pays back
 * to whoever submits the transactions that serve it. The relayer prices its settlements with it
 * before sending them; {@code ProtocolLifecycleIT} checks it against the hub to the wei.
 *
 * <p>A receipt settled in a transaction of {@code n} items costs {@code BATCH / n + RECEIPT + PROOF
 * * quorum + OUTPUT_WORD * ceil(output / 32)} gas, a failure {@code FAILURE_BATCH / n + FAILURE +
 * SIGNATURE * quorum}; the first item of each requester in a transaction adds {@code
 * REQUESTER_CREDIT}, a callback its measured gas plus {@code CALLBACK}. The gas is priced at {@code
 * min(tx.gasprice, maxFeePerGas)} and capped by the allowance.
 */
public final class GasCharges {
  public static final long BATCH = 66_000;
  public static final long RECEIPT = 13_900;
  public static final long PROOF = 5_200;
  public static final long OUTPUT_WORD = 400;
  public static final long FAILURE_BATCH = 53_500;
  public static final long FAILURE = 6_000;
  public static final long SIGNATURE = 5_000;
  public static final long REQUESTER_CREDIT = 8_400;
  public static final long CALLBACK = 4_000;
  public static final long EXPIRY = 41_300;
  public static final long SIGNED_REQUEST = 64_000;
  public static final long SIGNED_EXECUTION = 40_000;
  public static final long INPUT_BYTE = 24;
  public static final long QUOTE_OUTPUT_WORDS = 16;

  /**
   * The court's transactions are paid back from the protocol's share: their measured execution plus
   * a fixed figure per transaction ({@code COURT_DRAW_TX} for a draw of audits, {@code
   * COURT_RESOLVE_TX} for a resolution, {@code COURT_JURY_TX} for a jury's draw, {@code
   * COURT_VERDICTS_TX} for a batch of verdicts), {@code COURT_LEAF} and {@code COURT_SIGNER} per
   * leaf of a draw and {@code COURT_VERDICT} per verdict recorded, at the transaction's price
   * capped at the base fee plus {@code COURT_MAX_TIP}.
   */
  public static final long COURT_DRAW_TX = 44_400;

  public static final long COURT_RESOLVE_TX = 40_900;
  public static final long COURT_JURY_TX = 45_900;
  public static final long COURT_VERDICTS_TX = 30_900;
  public static final long COURT_LEAF = 3_400;
  public static final long COURT_SIGNER = 400;
  public static final long COURT_VERDICT = 3_600;
  public static final BigInteger COURT_MAX_TIP = BigInteger.valueOf(2_000_000_000L);

  private GasCharges() {}

  /** The fixed gas of one receipt in a transaction of {@code n} items. */
  public static long receipt(int n, int quorum, int outputLength) {
    return BATCH / n + RECEIPT + PROOF * quorum + OUTPUT_WORD * ((outputLength + 31L) / 32);
  }

  /** The fixed gas of one failure in a transaction of {@code n} items. */
  public static long failure(int n, int quorum) {
    return FAILURE_BATCH / n + FAILURE + SIGNATURE * quorum;
  }

  /** The price gas is paid back at: the transaction's, capped by the request's. */
  public static BigInteger price(BigInteger txGasPrice, BigInteger maxFeePerGas) {
    return txGasPrice.min(maxFeePerGas);
  }

  /** {@code gas} at {@code price}, capped by what is left of the allowance. */
  public static BigInteger charge(long gas, BigInteger price, BigInteger allowanceLeft) {
    return BigInteger.valueOf(gas).multiply(price).min(allowanceLeft);
  }

  /**
   * The allowance the hub's {@code quoteSigned} gives: a receipt served alone with an output of
   * {@link #QUOTE_OUTPUT_WORDS} words, its callback, the credit of what is left, and for a signed
   * request of {@code signedInputBytes} its submission.
   */
  public static BigInteger allowance(
      int quorum, long callbackGas, BigInteger maxFeePerGas, long signedInputBytes) {
    long gas =
        BATCH + RECEIPT + PROOF * quorum + OUTPUT_WORD * QUOTE_OUTPUT_WORDS + REQUESTER_CREDIT;
    if (callbackGas != 0) {
      gas += callbackGas + CALLBACK;
    }
    if (signedInputBytes != 0) {
      gas += SIGNED_REQUEST + SIGNED_EXECUTION + INPUT_BYTE * signedInputBytes;
    }
    return BigInteger.valueOf(gas).multiply(maxFeePerGas);
  }
}
