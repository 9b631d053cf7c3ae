package io.credence.relayer;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.contracts.InferenceHub;
import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.process.ManagedProcess;
import io.credence.testkit.TestInfra;
import io.credence.testkit.network.LocalNetwork;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Reorgs on anvil ({@code anvil_reorg}) while requests keep coming and the relayer follows the head
 * with no confirmations: requests in dropped blocks that come back in other blocks are settled and
 * dispatched once; requests that do not come back are never settled, and the different requests
 * that take their ids are; the relayer's own settlement transactions in dropped blocks are sent
 * again or dropped. At the end every request on the canonical chain is settled exactly once and was
 * dispatched exactly once.
 *
 * <p>Nothing here depends on timing: each reorg first makes a request of its own and then replaces
 * every block from the one that holds it, however many blocks the relayer's transactions added on
 * top meanwhile, so the reorg always has a request to re-include or drop.
 */
class RelayerReorgIT {
  private static final Credentials DAPP = AnvilNode.devAccount(8);

  @Test
  void reorgsUnderLoadLoseNothingAndDispatchNothingTwice() throws Exception {
    try (LocalNetwork net = LocalNetwork.create("reorg")) {
      net.startWorker(0);
      ManagedProcess relayer = net.startRelayer("reorg");
      int n = 90;
      // every request made, by the load and by the reorgs (each input distinct)
      AtomicInteger made = new AtomicInteger();
      // the load pauses while a reorg is made, so that the blocks it replaces are the ones read
      // just before
      ReentrantLock chain = new ReentrantLock();
      CompletableFuture<Void> load =
          CompletableFuture.runAsync(() -> {
            try {
              for (int i = 0; i < n; i++) {
                chain.lock();
                try {
                  request(net, made.getAndIncrement());
                } finally {
                  chain.unlock();
                }
                Thread.sleep(25);
              }
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      int reincluded = 0;
      int dropped = 0;
      try {
        LocalNetwork.await(
            () -> net.settledEvents().size() >= 10,
            Duration.ofSeconds(90),
            "10 settled before the first reorg");
        reincluded += reorg(net, chain, made, 4, true);
        LocalNetwork.await(
            () -> net.settledEvents().size() >= 35,
            Duration.ofSeconds(90),
            "35 settled before the second reorg");
        dropped += reorg(net, chain, made, 3, false);
        LocalNetwork.await(
            () -> net.settledEvents().size() >= 55,
            Duration.ofSeconds(90),
            "55 settled before the third reorg");
        reincluded += reorg(net, chain, made, 6, true);
        load.get();
        LocalNetwork.await(
            () -> pending(net).isEmpty(),
            Duration.ofSeconds(120),
            "every canonical request closed");
        // and the relayer has read it all (its listener follows the chain a step behind)
        LocalNetwork.await(
            () -> unsettledRows(net) == 0,
            Duration.ofSeconds(60),
            "the relayer recorded every settlement");
      } finally {
        relayer.stop(Duration.ofSeconds(10));
      }
      assertThat(reincluded).as("requests re-included in other blocks").isPositive();
      assertThat(dropped).as("requests dropped for good").isPositive();

      Map<Long, byte[]> canonical = canonicalRequests(net);
      assertThat(canonical).hasSize(made.get() - dropped);
      Map<Long, Integer> settled = net.settledEvents();
      assertThat(settled.keySet())
          .as("every canonical request settled")
          .containsExactlyInAnyOrderElementsOf(canonical.keySet());
      assertThat(settled.values()).as("each settled exactly once").allMatch(c -> c == 1);
      try (Connection c = TestInfra.postgres().connect()) {
        Map<Long, Integer> attempts = new HashMap<>();
        try (ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT request_id, count(*) FROM "
                        + net.schema
                        + ".attempt GROUP BY request_id")) {
          while (rs.next()) {
            attempts.put(rs.getLong(1), rs.getInt(2));
          }
        }
        for (long id : canonical.keySet()) {
          assertThat(attempts.get(id)).as("dispatches of request %d", id).isEqualTo(1);
        }
        try (ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT request_id, input_hash, state, orphaned FROM "
                        + net.schema
                        + ".request ORDER BY request_id")) {
          Set<Long> rows = new HashSet<>();
          while (rs.next()) {
            long id = rs.getLong(1);
            rows.add(id);
            assertThat(rs.getBytes(2))
                .as("request %d is the canonical one", id)
                .isEqualTo(canonical.get(id));
            assertThat(rs.getString(3)).as("state of %d", id).isEqualTo("SETTLED");
            assertThat(rs.getBoolean(4)).as("%d orphaned", id).isFalse();
          }
          assertThat(rows).isEqualTo(canonical.keySet());
        }
      }
      // the listener saw each reorg
      assertThat(net.logFile("relayer-reorg")).content().contains("reorg: block");
    }
  }

  /** Requests one inference (mined when this returns); returns the block it is in. */
  private static long request(LocalNetwork net, int i) throws Exception {
    var receipt = net.requestTx(DAPP, 1, LocalNetwork.input(i, 1, -i, 2), 3_600);
    return receipt.getBlockNumber().longValueExact();
  }

  /**
   * Makes a request, then replaces the last {@code minDepth} blocks, or more: every block from the
   * one holding that request, so the reorg has a request in it whatever the relayer mined since.
   * With {@code reinclude}, the dApp's request transactions in them come back in the new first
   * block (the relayer's own do not: it must send them again).
   *
   * @return how many request transactions the reorg re-included, or dropped for good
   */
  private static int reorg(
      LocalNetwork net, ReentrantLock chain, AtomicInteger made, int minDepth, boolean reinclude)
      throws Exception {
    chain.lock();
    try {
      long requested = request(net, made.getAndIncrement());
      int moved;
      // nothing is mined while the blocks are read and replaced: the relayer's transactions wait in
      // the pool
      net.anvil.automine(false);
      try {
        long head = net.anvil.blockNumber();
        int depth = (int) Math.max(minDepth, head - requested + 1);
        List<String> raws = new ArrayList<>();
        for (long b = head - depth + 1; b <= head; b++) {
          EthBlock.Block block =
              net.anvil
                  .web3j()
                  .ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(b)), true)
                  .send()
                  .getBlock();
          for (var t : block.getTransactions()) {
            var tx = (EthBlock.TransactionObject) t.get();
            if (tx.getFrom().equalsIgnoreCase(DAPP.getAddress())) {
              raws.add(net.anvil.rawTransaction(tx.getHash()));
            }
          }
        }
        assertThat(raws).as("request transactions in the last %d blocks", depth).isNotEmpty();
        net.anvil.reorg(depth, reinclude ? raws : List.of());
        assertThat(net.anvil.blockNumber()).isEqualTo(head);
        moved = raws.size();
      } finally {
        net.anvil.automine(true);
        net.anvil.mine(1);
      }
      if (!reinclude) {
        // the hub hands out ids in order, so these take the dropped requests' ids: different
        // requests under the
        // same ids, made here rather than left to the load, which may have finished by now
        for (int i = 0; i < moved; i++) {
          request(net, made.getAndIncrement());
        }
      }
      return moved;
    } finally {
      chain.unlock();
    }
  }

  /** Every InferenceRequested on the canonical chain: request id → input hash. */
  private static Map<Long, byte[]> canonicalRequests(LocalNetwork net) {
    Map<Long, byte[]> out = new HashMap<>();
    for (Log log : net.logs(InferenceHub.INFERENCEREQUESTED_EVENT)) {
      var e = InferenceHub.getInferenceRequestedEventFromLog(log);
      assertThat(out.put(e.requestId.longValueExact(), e.inputHash))
          .as("request id %s twice", e.requestId)
          .isNull();
    }
    return out;
  }

  private static List<Long> pending(LocalNetwork net) {
    InferenceHub hub = net.hubAs(DAPP);
    List<Long> out = new ArrayList<>();
    for (long id : canonicalRequests(net).keySet()) {
      try {
        if (hub.isPending(BigInteger.valueOf(id)).send()) {
          out.add(id);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  private static long unsettledRows(LocalNetwork net) {
    try (Connection c = TestInfra.postgres().connect();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*) FROM "
                        + net.schema
                        + ".request WHERE state <> 'SETTLED' AND NOT orphaned")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
