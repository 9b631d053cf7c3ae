package io.credence.protocol.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactivex.Flowable;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.BatchRequest;
import org.web3j.protocol.core.BatchResponse;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthBlockNumber;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.websocket.events.Notification;

/**
 * The range adapts to a provider that refuses large queries (web3j faked at the Request boundary).
 */
class LogFollowerTest {
  /** A node at block 1000 that refuses eth_getLogs over more than 8 blocks. */
  static final class Node implements Web3jService {
    final List<Long> askedRanges = java.util.Collections.synchronizedList(new ArrayList<>());

    /** Blocks whose hash is now different (replaced by a reorg). */
    final java.util.Set<String> replaced = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * When set, this block's hash changes after it was first asked for: a reorg in the middle of a
     * step.
     */
    String reorgedBlock;

    int asksOfReorgedBlock;

    /** Ranges over more blocks than this are refused. */
    long refuseAbove = 8;

    /** Logs each block holds. */
    int logsPerBlock;

    /** When set, eth_blockNumber answers this error. */
    String blockNumberError;

    @Override
    @SuppressWarnings("unchecked")
    public <T extends Response> T send(Request request, Class<T> type) {
      switch (request.getMethod()) {
        case "eth_blockNumber" -> {
          EthBlockNumber r = new EthBlockNumber();
          if (blockNumberError != null) {
            r.setError(new Response.Error(-32000, blockNumberError));
          } else {
            r.setResult("0x3e8");
          }
          return (T) r;
        }
        case "eth_getBlockByNumber" -> {
          String n = (String) request.getParams().get(0);
          EthBlock.Block b = new EthBlock.Block();
          b.setNumber(n);
          b.setHash(
              n.equals(reorgedBlock) && asksOfReorgedBlock++ > 0 || replaced.contains(n)
                  ? "0xnew" + n
                  : "0xh" + n);
          EthBlock r = new EthBlock();
          r.setResult(b);
          return (T) r;
        }
        case "eth_getLogs" -> {
          EthFilter f = (EthFilter) request.getParams().get(0);
          long from = new BigInteger(f.getFromBlock().getValue().substring(2), 16).longValue();
          long to = new BigInteger(f.getToBlock().getValue().substring(2), 16).longValue();
          askedRanges.add(to - from + 1);
          EthLog r = new EthLog();
          if (to - from + 1 > refuseAbove) {
            r.setError(new Response.Error(-32005, "query returned more than 10000 results"));
          } else {
            List<EthLog.LogResult> logs = new ArrayList<>();
            for (long b = from; b <= to; b++) {
              for (int i = 0; i < logsPerBlock; i++) {
                EthLog.LogObject l = new EthLog.LogObject();
                l.setBlockNumber("0x" + Long.toHexString(b));
                l.setLogIndex("0x" + Integer.toHexString(i));
                logs.add(l);
              }
            }
            r.setResult(logs);
          }
          return (T) r;
        }
        default -> throw new UnsupportedOperationException(request.getMethod());
      }
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

  @Test
  void aReorgBetweenTheCheckpointCheckAndTheQueryIsNotAppliedOnTopOfStaleBlocks() throws Exception {
    Node node = new Node();
    node.reorgedBlock = "0x5";
    LogFollower follower =
        new LogFollower(
            Web3j.build(node), List.of("0x0000000000000000000000000000000000000001"), 0, 1, 4, 4);
    LogFollower.Checkpoints at5 =
        new LogFollower.Checkpoints() {
          @Override
          public Optional<LogFollower.Block> last() {
            return Optional.of(new LogFollower.Block(5, "0xh0x5"));
          }

          @Override
          public Optional<LogFollower.Block> before(long number) {
            return number > 2 ? Optional.of(new LogFollower.Block(2, "0xh0x2")) : Optional.empty();
          }
        };
    // block 5 is canonical when the step starts, replaced while it reads 6..9: nothing is applied
    assertThat(follower.next(at5)).isInstanceOf(LogFollower.Idle.class);
    // the next step sees the reorg and rewinds to the last checkpoint still canonical
    LogFollower.Step next = follower.next(at5);
    assertThat(next).isInstanceOf(LogFollower.Rewind.class);
    assertThat(((LogFollower.Rewind) next).ancestor().number()).isEqualTo(2);
  }

  @Test
  void theRangeShrinksOnRefusalsAndGrowsBackOnSuccess() throws Exception {
    Node node = new Node();
    LogFollower follower =
        new LogFollower(
            Web3j.build(node), List.of("0x0000000000000000000000000000000000000001"), 0, 1, 64, 64);
    LogFollowerIT.View view = new LogFollowerIT.View();
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> follower.next(view))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("more than 10000 results");
    }
    assertThat(follower.range()).isEqualTo(8);
    LogFollower.Step step = follower.next(view);
    assertThat(step).isInstanceOf(LogFollower.Advance.class);
    LogFollower.Advance a = (LogFollower.Advance) step;
    assertThat(a.from()).isEqualTo(1);
    assertThat(a.to().number()).isEqualTo(8);
    assertThat(follower.range()).as("grows again after a success").isEqualTo(16);
    assertThat(node.askedRanges).containsExactly(64L, 32L, 16L, 8L);
    assertThat(Optional.of(a.to().hash())).contains("0xh0x8");
  }

  @Test
  void aDenseStretchIsReadInRangesOfAboutTheTargetNumberOfLogs() throws Exception {
    Node node = new Node();
    node.refuseAbove = Long.MAX_VALUE;
    node.logsPerBlock = 10;
    LogFollower follower =
        new LogFollower(
                Web3j.build(node),
                List.of("0x0000000000000000000000000000000000000001"),
                0,
                1,
                64,
                1024)
            .targetLogs(40)
            .prefetching();
    Cursor cursor = new Cursor();
    LogFollower.Advance first = (LogFollower.Advance) follower.next(cursor);
    assertThat(first.logs()).hasSize(640);
    cursor.kept.add(first.to());
    assertThat(follower.range())
        .as("64 blocks held 640 logs: 4 blocks hold the target of 40")
        .isEqualTo(4);
    long from = first.to().number() + 1;
    for (int step = 0; step < 5; step++) {
      LogFollower.Advance a = (LogFollower.Advance) follower.next(cursor);
      assertThat(a.from()).isEqualTo(from);
      assertThat(a.logs()).as("step %d", step).hasSize(40);
      cursor.kept.add(a.to());
      from = a.to().number() + 1;
    }
    node.logsPerBlock = 0;
    for (int step = 0;
        step < 2;
        step++) { // the first may have been read ahead while the history was dense
      LogFollower.Advance a = (LogFollower.Advance) follower.next(cursor);
      cursor.kept.add(a.to());
    }
    assertThat(follower.range()).as("empty ranges double").isGreaterThanOrEqualTo(8);
  }

  @Test
  void aNodeThatCannotSayItsHeadIsAnIoErrorWithItsMessage() {
    Node node = new Node();
    node.blockNumberError = "header not found";
    LogFollower follower =
        new LogFollower(
            Web3j.build(node), List.of("0x0000000000000000000000000000000000000001"), 0, 1, 4, 4);
    assertThatThrownBy(() -> follower.next(new Cursor()))
        .isInstanceOf(IOException.class)
        .hasMessage("eth_blockNumber failed: header not found");
  }

  @Test
  void quantitiesAreReadAsHex() {
    assertThat(LogFollower.quantity("0x0")).isZero();
    assertThat(LogFollower.quantity("0x3e8")).isEqualTo(1000);
    assertThat(LogFollower.quantity("0x7fffffffffffffff")).isEqualTo(Long.MAX_VALUE);
    assertThatThrownBy(() -> LogFollower.quantity("1000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1000");
    assertThatThrownBy(() -> LogFollower.quantity("0x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LogFollower.quantity(null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Checkpoints kept in memory, as a service would keep them in its database. */
  static final class Cursor implements LogFollower.Checkpoints {
    final List<LogFollower.Block> kept = new ArrayList<>();

    @Override
    public Optional<LogFollower.Block> last() {
      return kept.isEmpty() ? Optional.empty() : Optional.of(kept.get(kept.size() - 1));
    }

    @Override
    public Optional<LogFollower.Block> before(long number) {
      return kept.stream().filter(b -> b.number() < number).reduce((a, b) -> b);
    }
  }

  @Test
  void prefetchedRangesFollowOnWithoutGapsAndAreDroppedWhenTheyNoLongerFit() throws Exception {
    Node node = new Node();
    LogFollower follower =
        new LogFollower(
                Web3j.build(node),
                List.of("0x0000000000000000000000000000000000000001"),
                0,
                1,
                8,
                8)
            .prefetching();
    Cursor cursor = new Cursor();
    long expectedFrom = 1;
    for (int step = 0; step < 6; step++) {
      LogFollower.Advance a = (LogFollower.Advance) follower.next(cursor);
      assertThat(a.from()).isEqualTo(expectedFrom);
      assertThat(a.to().number()).isEqualTo(expectedFrom + 7);
      if (step == 2) {
        continue; // this step's commit failed: the range read ahead does not follow the cursor and
        // is dropped
      }
      cursor.kept.add(a.to());
      expectedFrom = a.to().number() + 1;
    }
    assertThat(expectedFrom).isEqualTo(41);
    // a reorg replaces the last checkpoint while the next range is read ahead: that range is
    // dropped and the follower rewinds
    node.replaced.add("0x" + Long.toHexString(40));
    LogFollower.Step next = follower.next(cursor);
    assertThat(next).isInstanceOf(LogFollower.Rewind.class);
    assertThat(((LogFollower.Rewind) next).ancestor().number()).isEqualTo(32);
  }
}
