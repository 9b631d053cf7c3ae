package io.credence.protocol.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.Response;

/**
 * Revert data decoded with the contracts' own ABIs (the errors.json the contracts build exports).
 */
class ContractErrorsTest {
  private static final String DEADLINE_IN_PAST =
      "0x42fdf937"
          + "000000000000000000000000000000000000000000000000000000006b12fa24"
          + "000000000000000000000000000000000000000000000000000000006b12fa2e";

  @Test
  void theSelectorsAreTheContractsOwn() {
    assertThat(ContractErrors.selector("DeadlineInPast(uint64,uint256)")).isEqualTo("42fdf937");
    assertThat(ContractErrors.known()).as("every custom error of every contract").isGreaterThan(40);
  }

  @Test
  void aCustomErrorIsDecodedWithItsArgumentNames() {
    assertThat(ContractErrors.decode(DEADLINE_IN_PAST))
        .hasValue("DeadlineInPast(deadline=1796405796, now=1796405806)");
    assertThat(
            ContractErrors.decode(
                "0x64ab346600000000000000000000000014dc79964da2c08b23698b3d3cc7ca32193d9955"))
        .hasValue("NothingToClaim(account=0x14dc79964da2c08b23698b3d3cc7ca32193d9955)");
    // no arguments
    assertThat(ContractErrors.decode("0x" + ContractErrors.selector("EmptyInput()")))
        .hasValue("EmptyInput()");
  }

  @Test
  void solidityErrorStringsAndPanicsAreDecodedToo() {
    String error =
        "0x08c379a0"
            + "0000000000000000000000000000000000000000000000000000000000000020"
            + "0000000000000000000000000000000000000000000000000000000000000004"
            + "6f6f707300000000000000000000000000000000000000000000000000000000";
    assertThat(ContractErrors.decode(error)).hasValue("Error(reason=\"oops\")");
    assertThat(
            ContractErrors.decode(
                "0x4e487b71" + "0000000000000000000000000000000000000000000000000000000000000011"))
        .hasValue("Panic(code=17): arithmetic overflow or underflow");
  }

  @Test
  void unknownSelectorsAndBadDataAreLeftAlone() {
    assertThat(ContractErrors.decode("0xdeadbeef")).isEmpty();
    assertThat(ContractErrors.decode("0x42fd")).isEmpty();
    assertThat(ContractErrors.decode("not hex at all")).isEmpty();
    assertThat(ContractErrors.decode(null)).isEmpty();
    assertThat(ContractErrors.describe("custom error 0xdeadbeef: 00"))
        .isEqualTo("custom error 0xdeadbeef: 00");
  }

  @Test
  void anvilsAndRawRevertDataInMessagesAreDecodedInPlace() {
    String web3j =
        "Transaction 0xc2555e69a49d63ba40be773576f9f4cffff56f5fcae1ee2df2fd31f1d136623a has failed with status: 0x0. Gas used: 25272."
            + " Revert reason: 'execution reverted: custom error 0x42fdf937: "
            + DEADLINE_IN_PAST.substring(10)
            + "'.";
    assertThat(ContractErrors.describe(web3j))
        .isEqualTo(
            "Transaction 0xc2555e69a49d63ba40be773576f9f4cffff56f5fcae1ee2df2fd31f1d136623a has failed with status: 0x0. Gas used: 25272."
                + " Revert reason: 'execution reverted: DeadlineInPast(deadline=1796405796, now=1796405806)'.");
    assertThat(ContractErrors.describe("execution reverted, data " + DEADLINE_IN_PAST))
        .isEqualTo("execution reverted, data DeadlineInPast(deadline=1796405796, now=1796405806)");
  }

  @Test
  void aJsonRpcErrorsDataIsDecodedWhereTheMessageLacksIt() {
    Response.Error geth = new Response.Error(3, "execution reverted");
    geth.setData("\"" + DEADLINE_IN_PAST + "\"");
    assertThat(ContractErrors.revertData(geth)).hasValue(DEADLINE_IN_PAST);
    assertThat(ContractErrors.describe(geth))
        .isEqualTo("execution reverted: DeadlineInPast(deadline=1796405796, now=1796405806)");
    assertThat(ContractErrors.describe(new Response.Error(-32000, "insufficient funds")))
        .isEqualTo("insufficient funds");
  }

  @Test
  void anvilsArgumentsRenderedAsTextAreReplacedByTheDecodedData() {
    // anvil prints the arguments as text when their bytes happen to be printable (seen for a
    // deadline of 1796408185): the message then holds the selector and unreadable characters
    var anvil =
        new Response.Error(
            3, "execution reverted: custom error 0x42fdf937: \u0000\u0000 ky\u0000 ky");
    anvil.setData(DEADLINE_IN_PAST);
    assertThat(ContractErrors.describe(anvil))
        .isEqualTo("execution reverted: DeadlineInPast(deadline=1796405796, now=1796405806)");
  }

  @Test
  void aCausesRevertDataIsFoundWhenTheMessageHasNone() {
    var e =
        new IllegalStateException(
            "the demo's request failed",
            new IOException(
                "execution reverted: custom error 0x42fdf937: " + DEADLINE_IN_PAST.substring(10)));
    assertThat(ContractErrors.describe(e))
        .isEqualTo(
            "the demo's request failed: execution reverted: DeadlineInPast(deadline=1796405796, now=1796405806)");
  }
}
