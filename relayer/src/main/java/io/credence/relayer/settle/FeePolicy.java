package io.credence.relayer.settle;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;

/**
 * EIP-1559 fees of the wallet's transactions: {@code maxFeePerGas} is twice the latest base fee
 * plus the tip (so a transaction stays includable while the base fee doubles, which takes at least
 * six full blocks), capped by {@code max-fee-per-gas}; a stuck transaction is replaced with both
 * fees raised by {@code fee-bump-percent}, never above the cap.
 */
public final class FeePolicy {
  /** A transaction's {@code maxFeePerGas} and {@code maxPriorityFeePerGas}, in wei. */
  public record Fees(BigInteger maxFee, BigInteger tip) {}

  private static final BigInteger HUNDRED = BigInteger.valueOf(100);

  private final BigInteger cap;
  private final BigInteger tip;
  private final int bumpPercent;

  /**
   * @param cap most wei per gas ever offered ({@code max-fee-per-gas})
   * @param tip the tip per gas ({@code priority-fee-per-gas})
   * @param bumpPercent fee increase of a replacement ({@code fee-bump-percent}; nodes require at
   *     least 10)
   */
  public FeePolicy(BigInteger cap, BigInteger tip, int bumpPercent) {
    this.cap = cap;
    this.tip = tip;
    this.bumpPercent = bumpPercent;
  }

  /** The cap, in wei per gas. */
  public BigInteger cap() {
    return cap;
  }

  /**
   * Fees of a new transaction when the latest block's base fee is {@code baseFee} (0 before
   * London).
   */
  public Fees forBaseFee(BigInteger baseFee) {
    BigInteger max = baseFee.multiply(BigInteger.TWO).add(tip).min(cap);
    return new Fees(max, tip.min(max));
  }

  /** Fees of a new transaction now: reads the latest block's base fee. */
  public Fees current(Web3j web3j) throws IOException {
    return forBaseFee(baseFee(web3j));
  }

  /**
   * What gas costs a transaction sent now, per gas: the latest base fee plus the tip, within the
   * cap. (The next block's base fee may differ by an eighth.)
   */
  public BigInteger price(BigInteger baseFee) {
    return baseFee.add(tip).min(cap);
  }

  /** The latest block's base fee (0 before London). */
  public static BigInteger baseFee(Web3j web3j) throws IOException {
    String base =
        web3j
            .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
            .send()
            .getBlock()
            .getBaseFeePerGasRaw();
    return base == null ? BigInteger.ZERO : Numeric.decodeQuantity(base);
  }

  /**
   * Fees of a replacement for a transaction sent with {@code sent}: both raised by the bump (plus
   * one wei, so rounding never leaves them equal), the max fee at most the cap; empty when {@code
   * sent} is at the cap already (raising it is the operator's decision).
   */
  public Optional<Fees> bump(Fees sent) {
    BigInteger factor = HUNDRED.add(BigInteger.valueOf(bumpPercent));
    BigInteger maxFee = sent.maxFee().multiply(factor).divide(HUNDRED).add(BigInteger.ONE);
    BigInteger bumpedTip = sent.tip().multiply(factor).divide(HUNDRED).add(BigInteger.ONE);
    if (maxFee.compareTo(cap) > 0) {
      if (sent.maxFee().compareTo(cap) >= 0) {
        return Optional.empty();
      }
      maxFee = cap;
      bumpedTip = bumpedTip.min(maxFee);
    }
    return Optional.of(new Fees(maxFee, bumpedTip));
  }
}
