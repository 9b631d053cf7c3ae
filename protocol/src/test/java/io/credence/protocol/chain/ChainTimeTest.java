package io.credence.protocol.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.testkit.ScriptedNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;

/**
 * The next block's time on nodes that build a pending block and on nodes that do not (web3j faked
 * at the Request boundary; CliIT runs the CLI against anvil with a stale latest block).
 */
class ChainTimeTest {
  /**
   * A node whose latest block is {@code latest}; its pending block is {@code pending} (null:
   * refused).
   */
  static final class Node {
    final ScriptedNode script = new ScriptedNode();
    Map<String, String> latest = block(100, 1_000);
    Map<String, String> pending;

    Node() {
      script.answer(
          "eth_getBlockByNumber",
          p -> {
            if (p.get(0).asText().equals("latest")) {
              return latest;
            }
            return pending == null ? new ScriptedNode.Error("unknown block tag pending") : pending;
          });
    }

    static Map<String, String> block(long number, long timestamp) {
      return Map.of(
          "number",
          "0x" + Long.toHexString(number),
          "timestamp",
          "0x" + Long.toHexString(timestamp));
    }

    Web3j web3j() {
      return script.web3j();
    }
  }

  private static Clock at(long epochSecond) {
    return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
  }

  @Test
  void aPendingBlockGivesTheTimeEvenWhenTheLatestIsStale() throws Exception {
    Node node = new Node();
    node.pending = Node.block(101, 5_000);
    assertThat(new ChainTime(node.web3j(), at(9_999)).nextBlockTimestamp())
        .as("the node's clock, not the wall clock")
        .isEqualTo(5_000);
    assertThat(new ChainTime(node.web3j(), at(9_999)).deadlineIn(600)).isEqualTo(5_600);
  }

  @Test
  void withoutAPendingBlockAnIdleChainsNextBlockIsStampedWithTheWallClock() throws Exception {
    Node node = new Node();
    assertThat(new ChainTime(node.web3j(), at(4_000)).nextBlockTimestamp()).isEqualTo(4_000);
    // "pending" answered with the latest block (geth, Besu): not a pending block
    node.pending = node.latest;
    assertThat(new ChainTime(node.web3j(), at(4_000)).nextBlockTimestamp()).isEqualTo(4_000);
  }

  @Test
  void theNextBlockIsNeverStampedBeforeTheLatestOne() throws Exception {
    Node node = new Node();
    assertThat(new ChainTime(node.web3j(), at(500)).nextBlockTimestamp())
        .as("a wall clock behind the chain")
        .isEqualTo(1_001);
    node.pending = Node.block(101, 1_000);
    assertThat(new ChainTime(node.web3j(), at(500)).nextBlockTimestamp()).isEqualTo(1_001);
  }
}
