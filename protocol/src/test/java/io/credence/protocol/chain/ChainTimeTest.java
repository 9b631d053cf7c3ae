package io.credence.protocol.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactivex.Flowable;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.websocket.events.Notification;

/**
 * The next block's time on nodes that build a pending block and on nodes that do not (web3j faked
 * at the Request boundary; CliIT runs the CLI against anvil with a stale latest block).
 */
class ChainTimeTest {
  /**
   * A node whose latest block is {@code latest}; its pending block is {@code pending} (null:
   * refused).
   */
  static final class Node implements Web3jService {
    EthBlock.Block latest = block(100, 1_000);
    EthBlock.Block pending;

    static EthBlock.Block block(long number, long timestamp) {
      EthBlock.Block b = new EthBlock.Block();
      b.setNumber("0x" + Long.toHexString(number));
      b.setTimestamp("0x" + Long.toHexString(timestamp));
      return b;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends Response> T send(Request request, Class<T> type) {
      EthBlock r = new EthBlock();
      if (request.getParams().get(0).equals("latest")) {
        r.setResult(latest);
      } else if (pending == null) {
        r.setError(new Response.Error(-32602, "unknown block tag pending"));
      } else {
        r.setResult(pending);
      }
      return (T) r;
    }

    @Override
    public <T extends Response> CompletableFuture<T> sendAsync(Request request, Class<T> type) {
      throw new UnsupportedOperationException();
    }

    @Override
    public BatchResponse sendBatch(BatchRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<BatchResponse> sendBatchAsync(BatchRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T extends Notification<?>> Flowable<T> subscribe(
        Request request, String unsubscribeMethod, Class<T> type) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  private static Clock at(long epochSecond) {
    return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
  }

  @Test
  void aPendingBlockGivesTheTimeEvenWhenTheLatestIsStale() throws Exception {
    Node node = new Node();
    node.pending = Node.block(101, 5_000);
    assertThat(new ChainTime(Web3j.build(node), at(9_999)).nextBlockTimestamp())
        .as("the node's clock, not the wall clock")
        .isEqualTo(5_000);
    assertThat(new ChainTime(Web3j.build(node), at(9_999)).deadlineIn(600)).isEqualTo(5_600);
  }

  @Test
  void withoutAPendingBlockAnIdleChainsNextBlockIsStampedWithTheWallClock() throws Exception {
    Node node = new Node();
    assertThat(new ChainTime(Web3j.build(node), at(4_000)).nextBlockTimestamp()).isEqualTo(4_000);
    // "pending" answered with the latest block (geth, Besu): not a pending block
    node.pending = node.latest;
    assertThat(new ChainTime(Web3j.build(node), at(4_000)).nextBlockTimestamp()).isEqualTo(4_000);
  }

  @Test
  void theNextBlockIsNeverStampedBeforeTheLatestOne() throws Exception {
    Node node = new Node();
    assertThat(new ChainTime(Web3j.build(node), at(500)).nextBlockTimestamp())
        .as("a wall clock behind the chain")
        .isEqualTo(1_001);
    node.pending = Node.block(101, 1_000);
    assertThat(new ChainTime(Web3j.build(node), at(500)).nextBlockTimestamp()).isEqualTo(1_001);
  }
}
