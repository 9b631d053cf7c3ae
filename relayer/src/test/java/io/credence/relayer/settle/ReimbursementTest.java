package io.credence.relayer.settle;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.settlement.GasCharges;
import io.credence.relayer.settle.Reimbursement.Shortfall;
import io.credence.relayer.store.RequestStore.Ready;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReimbursementTest {
  private static final BigInteger GWEI = BigInteger.valueOf(1_000_000_000L);
  private static final String NONE = "0x0000000000000000000000000000000000000000";
  private static final byte[] OUTPUT = new byte[320];

  private static Ready ready(long id, String requester, long allowanceGas, long maxFeeGwei) {
    return ready(id, requester, allowanceGas, maxFeeGwei, NONE, 0);
  }

  private static Ready ready(
      long id, String requester, long allowanceGas, long maxFeeGwei, String callback, long cbGas) {
    InferenceHub.Request r =
        new InferenceHub.Request(
            requester,
            BigInteger.ONE,
            new byte[32],
            BigInteger.TEN,
            BigInteger.valueOf(4_000_000_000L),
            callback,
            BigInteger.valueOf(cbGas),
            GWEI.multiply(BigInteger.valueOf(allowanceGas * maxFeeGwei)),
            GWEI.multiply(BigInteger.valueOf(maxFeeGwei)));
    return new Ready(id, r, "OK", OUTPUT, null, null, 1, Instant.EPOCH);
  }

  @Test
  void aRequestWhoseCapIsBelowThePriceWaits() {
    Ready r = ready(1, "0x" + "11".repeat(20), 1_000_000, 2);
    assertThat(Reimbursement.shortfall(r, 80_000, GWEI.multiply(BigInteger.valueOf(3))))
        .isEqualTo(Shortfall.MAX_FEE_BELOW_PRICE);
    assertThat(Reimbursement.shortfall(r, 80_000, GWEI.multiply(BigInteger.TWO))).isNull();
  }

  @Test
  void aRequestWhoseAllowanceCannotPayItsGasWaits() {
    long single = GasCharges.receipt(1, 1, OUTPUT.length) + GasCharges.REQUESTER_CREDIT;
    Ready enough = ready(1, "0x" + "11".repeat(20), single, 10);
    Ready short1 = ready(2, "0x" + "22".repeat(20), single - 1, 10);
    var split = Reimbursement.split(List.of(enough, short1), GWEI.multiply(BigInteger.TEN));
    // in a batch of two, each costs less than alone: both pay their way
    assertThat(split.send()).containsExactly(enough, short1);
    var alone = Reimbursement.split(List.of(short1), GWEI.multiply(BigInteger.TEN));
    assertThat(alone.send()).isEmpty();
    assertThat(alone.waiting()).containsEntry(short1, Shortfall.ALLOWANCE_TOO_SMALL);
  }

  @Test
  void whatDropsOutMakesTheOthersDearerAndTheyAreCheckedAgain() {
    BigInteger price = GWEI.multiply(BigInteger.TEN);
    String a = "0x" + "aa".repeat(20);
    // covers its share of a batch of 2, not a batch alone
    long pair = GasCharges.receipt(2, 1, OUTPUT.length) + GasCharges.REQUESTER_CREDIT;
    Ready justEnoughForTwo = ready(1, a, pair, 10);
    Ready capTooLow = ready(2, "0x" + "bb".repeat(20), 1_000_000, 1);
    var split = Reimbursement.split(List.of(justEnoughForTwo, capTooLow), price);
    assertThat(split.send()).isEmpty();
    assertThat(split.waiting())
        .containsEntry(capTooLow, Shortfall.MAX_FEE_BELOW_PRICE)
        .containsEntry(justEnoughForTwo, Shortfall.ALLOWANCE_TOO_SMALL);
  }

  @Test
  void aCallbackIsCountedAtAllItsGasAndARequesterCreditOncePerBatch() {
    String dapp = "0x" + "cc".repeat(20);
    Ready withCallback = ready(1, dapp, 0, 1, "0x" + "dd".repeat(20), 300_000);
    assertThat(Reimbursement.gas(withCallback, 1, true))
        .isEqualTo(
            GasCharges.receipt(1, 1, OUTPUT.length)
                + GasCharges.REQUESTER_CREDIT
                + 300_000
                + GasCharges.CALLBACK);
    assertThat(Reimbursement.gas(withCallback, 4, false))
        .isEqualTo(GasCharges.receipt(4, 1, OUTPUT.length) + 300_000 + GasCharges.CALLBACK);
  }
}
