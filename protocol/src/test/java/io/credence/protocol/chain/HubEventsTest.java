package io.credence.protocol.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.contracts.InferenceHub;
import io.credence.protocol.receipt.ReceiptProofs;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/** The hand decoder gives exactly what web3j's generated decoder gives, on random events. */
class HubEventsTest {
  private final Random random = new Random(7);

  @Test
  void requestedLogsDecodeAsWeb3jDecodesThem() {
    for (int i = 0; i < 300; i++) {
      Log log =
          log(
              List.of(
                  HubEvents.REQUESTED_TOPIC, topic(uint(256)), topic(uint(256)), topic(uint(160))),
              List.of(
                  new Bytes32(bytes(32)),
                  new Uint256(uint(256)),
                  new Uint64(uint(64)),
                  new Address(uint(160)),
                  new Uint32(uint(32)),
                  new Uint256(uint(256)),
                  new Uint256(uint(256)),
                  new DynamicBytes(bytes(random.nextInt(300)))));
      var mine = HubEvents.requested(log);
      var theirs = InferenceHub.getInferenceRequestedEventFromLog(log);
      assertThat(mine).usingRecursiveComparison().isEqualTo(theirs);
      assertThat(mine.log).isSameAs(log);
    }
  }

  @Test
  void settledLogsDecodeAsWeb3jDecodesThem() {
    for (int i = 0; i < 300; i++) {
      Log log =
          log(
              List.of(HubEvents.SETTLED_TOPIC, topic(uint(256))),
              List.of(
                  new DynamicBytes(bytes(ReceiptProofs.PROOF_BYTES * random.nextInt(4))),
                  new DynamicBytes(bytes(random.nextInt(500)))));
      var mine = HubEvents.settled(log);
      var theirs = InferenceHub.getInferenceSettledEventFromLog(log);
      assertThat(mine).usingRecursiveComparison().isEqualTo(theirs);
    }
  }

  @Test
  void malformedLogsAreRefusedWithTheReason() {
    Log good =
        log(
            List.of(HubEvents.SETTLED_TOPIC, topic(BigInteger.ONE)),
            List.of(
                new DynamicBytes(bytes(ReceiptProofs.PROOF_BYTES)), new DynamicBytes(bytes(5))));
    Log wrongEvent = log(List.of(HubEvents.REQUESTED_TOPIC, topic(BigInteger.ONE)), List.of());
    assertThatThrownBy(() -> HubEvents.settled(wrongEvent))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topics");
    Log truncated = copy(good, good.getData().substring(0, good.getData().length() - 64));
    assertThatThrownBy(() -> HubEvents.settled(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run past the data");
    Log hugeOffset = copy(good, "0x" + "ff".repeat(32) + good.getData().substring(2 + 64));
    assertThatThrownBy(() -> HubEvents.settled(hugeOffset))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of range");
    Log notHex = copy(good, "0x" + "zz" + good.getData().substring(4));
    assertThatThrownBy(() -> HubEvents.settled(notHex))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not hex");
  }

  private Log log(List<String> topics, List<Type> data) {
    Log log = new Log();
    log.setTopics(topics);
    log.setData("0x" + FunctionEncoder.encodeConstructor(data));
    log.setTransactionHash("0x" + "ab".repeat(32));
    log.setLogIndex("0x1");
    return log;
  }

  private static Log copy(Log log, String data) {
    Log out = new Log();
    out.setTopics(log.getTopics());
    out.setData(data);
    return out;
  }

  private BigInteger uint(int bits) {
    return new BigInteger(random.nextInt(bits) + 1, random);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static String topic(BigInteger v) {
    return Numeric.toHexStringWithPrefixZeroPadded(v, 64);
  }
}
