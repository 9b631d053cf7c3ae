package io.credence.protocol.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.credence.protocol.receipt.Ecdsa.Backend;
import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;

class EcdsaTest {
  private static final BigInteger N =
      new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);

  @Test
  void theNativeLibraryLoadsOnLinuxX86() {
    assumeTrue(
        System.getProperty("os.name").startsWith("Linux")
            && System.getProperty("os.arch").equals("amd64"));
    assumeTrue(System.getProperty("credence.secp256k1") == null);
    assertThat(Ecdsa.backend()).isEqualTo(Backend.NATIVE);
  }

  @Test
  void bothBackendsSignAndRecoverAsWeb3jDoes() throws Exception {
    assumeTrue(Ecdsa.backend() == Backend.NATIVE);
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 500; i++) {
      byte[] digest = bytes(random);
      BigInteger key =
          new BigInteger(1, bytes(random)).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE);
      Credentials credentials = Credentials.create(ECKeyPair.create(key));
      Sign.SignatureData web3j = Sign.signMessage(digest, credentials.getEcKeyPair(), false);
      byte[] expected = new byte[65];
      System.arraycopy(web3j.getR(), 0, expected, 0, 32);
      System.arraycopy(web3j.getS(), 0, expected, 32, 32);
      expected[64] = web3j.getV()[0];
      for (Backend backend : Backend.values()) {
        assertThat(Ecdsa.sign(key, digest, backend)).as("%s #%d", backend, i).isEqualTo(expected);
        assertThat(Ecdsa.recover(digest, expected, backend))
            .as("%s #%d", backend, i)
            .isEqualTo(credentials.getAddress());
      }
    }
  }

  @Test
  void bothBackendsRefuseWhatEcrecoverRefuses() {
    assumeTrue(Ecdsa.backend() == Backend.NATIVE);
    byte[] digest = bytes(new SplittableRandom(3));
    byte[] good = Ecdsa.sign(BigInteger.TEN, digest);
    for (Backend backend : Backend.values()) {
      byte[] zeroR = good.clone();
      Arrays.fill(zeroR, 0, 32, (byte) 0);
      assertThatThrownBy(() -> Ecdsa.recover(digest, zeroR, backend))
          .isInstanceOf(SignatureException.class);
      byte[] rTooBig = good.clone();
      Arrays.fill(rTooBig, 0, 32, (byte) 0xff);
      assertThatThrownBy(() -> Ecdsa.recover(digest, rTooBig, backend))
          .isInstanceOf(SignatureException.class);
      byte[] zeroS = good.clone();
      Arrays.fill(zeroS, 32, 64, (byte) 0);
      assertThatThrownBy(() -> Ecdsa.recover(digest, zeroS, backend))
          .isInstanceOf(SignatureException.class);
      assertThatThrownBy(() -> Ecdsa.recover(new byte[31], good, backend))
          .hasMessageContaining("32 bytes");
    }
  }

  @Test
  void aTamperedSignatureRecoversSomeoneElse() throws Exception {
    byte[] digest = bytes(new SplittableRandom(5));
    byte[] sig = Ecdsa.sign(BigInteger.TWO, digest);
    String signer = Ecdsa.recover(digest, sig);
    sig[64] = (byte) (sig[64] == 27 ? 28 : 27);
    String other;
    try {
      other = Ecdsa.recover(digest, sig);
    } catch (SignatureException noPoint) {
      return; // the flipped R is not on the curve: refused, which is also right
    }
    assertThat(other).isNotEqualTo(signer);
  }

  private static byte[] bytes(SplittableRandom random) {
    byte[] b = new byte[32];
    for (int i = 0; i < 32; i++) {
      b[i] = (byte) random.nextInt();
    }
    return b;
  }
}
