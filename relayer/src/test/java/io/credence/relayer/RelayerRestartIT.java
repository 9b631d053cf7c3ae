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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;

/**
 * The packaged relayer as a real process, killed without warning (SIGKILL) while requests keep
 * coming and started again: every request ends settled, each exactly once, and no settlement
 * transaction ever carried a receipt a second time.
 */
class RelayerRestartIT {
  private static final Credentials DAPP = AnvilNode.devAccount(7);

  @Test
  void aKilledRelayerResumesAndSettlesEverythingOnce() throws Exception {
    try (LocalNetwork net = LocalNetwork.create("restart")) {
      net.startWorker(0);
      ManagedProcess relayer = net.startRelayer("first");
      int n = 120;
      List<Long> ids = new CopyOnWriteArrayList<>();
      // the second half is asked only after the kill, so the kill always lands mid-run, however
      // fast the first relayer settles
      CountDownLatch killed = new CountDownLatch(1);
      CompletableFuture<Void> load =
          CompletableFuture.runAsync(() -> {
            try {
              for (int i = 0; i < n; i++) {
                if (i == n / 2) {
                  killed.await();
                }
                ids.add(net.request(DAPP, 1, LocalNetwork.input(i, 2, 3, -i), 3_600));
                Thread.sleep(20);
              }
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      try {
        LocalNetwork.await(
            () -> net.settledEvents().size() >= n / 4,
            Duration.ofSeconds(90),
            "a quarter settled before the kill");
        ManagedProcess.stop(ProcessHandle.of(relayer.pid()).orElseThrow(), Duration.ZERO);
        int atKill = net.settledEvents().size();
        assertThat(atKill).isLessThanOrEqualTo(n / 2);
        killed.countDown();
        relayer = net.startRelayer("second");
        load.get();
        LocalNetwork.await(
            () -> net.settledEvents().size() >= n,
            Duration.ofSeconds(120),
            "every request settled after the restart");
      } finally {
        relayer.stop(Duration.ofSeconds(10));
      }

      Map<Long, Integer> settled = net.settledEvents();
      assertThat(settled.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(settled.values()).as("each request settled exactly once").allMatch(c -> c == 1);
      assertThat(net.logs(InferenceHub.RECEIPTSKIPPED_EVENT))
          .as("no receipt sent in a second transaction")
          .isEmpty();
      InferenceHub hub = net.hubAs(DAPP);
      for (long id : ids) {
        assertThat(hub.isPending(BigInteger.valueOf(id)).send()).isFalse();
      }
      // every transaction the relayer's wallet sent succeeded, and the relayer's own ledger carried
      // each receipt once
      List<String> sent = net.walletTransactions();
      assertThat(sent).isNotEmpty();
      for (var tx : sent) {
        assertThat(
                net.anvil
                    .web3j()
                    .ethGetTransactionReceipt(tx)
                    .send()
                    .getTransactionReceipt()
                    .orElseThrow()
                    .isStatusOK())
            .as("transaction %s", tx)
            .isTrue();
      }
      try (Connection c = TestInfra.postgres().connect();
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT x.request_id, count(*) FROM "
                          + net.schema
                          + ".tx_request x JOIN "
                          + net.schema
                          + ".tx t ON t.id = x.tx_id WHERE t.kind = 'RECEIPTS' AND t.state IN ('MINED', 'FINAL', 'REVERTED')"
                          + " GROUP BY x.request_id HAVING count(*) > 1")) {
        assertThat(rs.next())
            .as(
                "a receipt in two mined settlement transactions; the wallet's ledger: %s",
                ledger(net))
            .isFalse();
      }
    }
  }

  /**
   * Every transaction of the relayer's ledger that was not mined once and for all, with why: a
   * transaction the node refused, or whose nonce went elsewhere, is dropped and its receipts go
   * into another one, which is right; the chain checks above say nothing was settled twice.
   */
  private static String ledger(LocalNetwork net) throws Exception {
    StringBuilder out = new StringBuilder();
    try (Connection c = TestInfra.postgres().connect();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT id, kind, nonce, state, error FROM "
                        + net.schema
                        + ".tx WHERE state NOT IN ('MINED', 'FINAL') ORDER BY id")) {
      while (rs.next()) {
        out.append(
            String.format(
                "%n  tx %d %s nonce %d %s %s",
                rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5)));
      }
    }
    return out.toString();
  }
}
