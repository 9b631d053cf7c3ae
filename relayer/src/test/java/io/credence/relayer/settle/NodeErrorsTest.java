package io.credence.relayer.settle;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.relayer.settle.NodeErrors.Refusal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.web3j.protocol.core.Response;

class NodeErrorsTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // geth, anvil, erigon, reth and hosted providers word these alike
        "already known | NONE",
        "known transaction: 0xabc | NONE",
        "Transaction already imported | NONE",
        "nonce too low: next nonce 7, tx nonce 5 | NONCE_TOO_LOW",
        "Nonce is too low | NONCE_TOO_LOW",
        "replacement transaction underpriced | UNDERPRICED",
        "transaction underpriced: tip needed 1, tip permitted 0 | UNDERPRICED",
        "insufficient funds for gas * price + value: have 0 want 21000 | INSUFFICIENT_FUNDS",
        "Insufficient funds for gas * price + value | INSUFFICIENT_FUNDS",
        "intrinsic gas too low | OTHER",
        "exceeds block gas limit | OTHER"
      })
  void aNodesRefusalIsClassifiedByItsWords(String message, Refusal expected) {
    assertThat(NodeErrors.classify(new Response.Error(-32000, message))).isEqualTo(expected);
  }

  @Test
  void noErrorMeansTheNodeTookIt() {
    assertThat(NodeErrors.classify(null)).isEqualTo(Refusal.NONE);
  }

  @Test
  void anErrorWithoutAMessageIsNotMistakenForAKnownOne() {
    assertThat(NodeErrors.classify(new Response.Error(-32000, null))).isEqualTo(Refusal.OTHER);
  }
}
