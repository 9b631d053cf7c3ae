package io.credence.protocol.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.protocol.Hashes;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

class VerdictTest {
  private static final byte[] SETTLED = Hashes.keccak256("settled".getBytes());
  private static final byte[] MINE = Hashes.keccak256("mine".getBytes());

  @Test
  void signsUnderTheHubsDomainAndRecoversTheJuror() throws Exception {
    ReceiptSigner juror = new ReceiptSigner(Credentials.create(Hashes.hex(MINE)));
    Eip712Domain domain = Eip712Domain.credence(31337, "0x" + "ab".repeat(20));
    Verdict v = new Verdict(BigInteger.valueOf(7), BigInteger.valueOf(3), SETTLED, MINE, false);
    byte[] signature = juror.sign(v, domain);
    assertThat(ReceiptSigner.recover(v.digest(domain), signature)).isEqualTo(juror.address());
    Verdict agreeing =
        new Verdict(BigInteger.valueOf(7), BigInteger.valueOf(3), SETTLED, MINE, true);
    assertThat(agreeing.digest(domain)).as("agrees is signed").isNotEqualTo(v.digest(domain));
    assertThat(Verdict.TYPE)
        .isEqualTo(
            "Verdict(uint256 disputeId,uint256 requestId,bytes32 outputHash,bytes32 jurorOutputHash,bool agrees)");
  }

  @Test
  void cannotDisagreeWithItsOwnOutput() {
    assertThatThrownBy(() -> new Verdict(BigInteger.ONE, BigInteger.ONE, SETTLED, SETTLED, false))
        .hasMessageContaining("cannot disagree");
  }
}
