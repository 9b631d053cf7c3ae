package io.credence.relayer;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.contracts.InferenceHub;
import io.credence.testkit.AnvilNode;
import io.credence.testkit.ManagedProcess;
import io.credence.testkit.Ports;
import io.credence.testkit.TestInfra;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;

/**
 * The packaged relayer as a real process, killed without warning (SIGKILL) while requests keep
 * coming and started again: every request ends settled, each exactly once, and no settlement
 * transaction ever carried a receipt a second time.
 */
class RelayerRestartIT {
  private static final Credentials DAPP = AnvilNode.devAccount(7);

  @Test
  void aKilledRelayerResumesAndSettlesEverythingOnce() throws Exception {
    try (RelayerNetwork net = RelayerNetwork.create("restart")) {
      net.startWorker(0);
      ManagedProcess relayer = startRelayer(net, "first");
      int n = 120;
      List<Long> ids = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> load =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int i = 0; i < n; i++) {
                    ids.add(net.request(DAPP, 1, RelayerNetwork.input(i, 2, 3, -i), 3_600));
                    Thread.sleep(20);
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      try {
        await(() -> settledEvents(net).size() >= n / 4, Duration.ofSeconds(90), "a quarter settled before the kill");
        ManagedProcess.stop(ProcessHandle.of(relayer.pid()).orElseThrow(), Duration.ZERO);
        int atKill = settledEvents(net).size();
        assertThat(atKill).isLessThan(n);
        relayer = startRelayer(net, "second");
        load.get();
        await(() -> settledEvents(net).size() >= n, Duration.ofSeconds(120), "every request settled after the restart");
      } finally {
        relayer.stop(Duration.ofSeconds(10));
      }

      Map<Long, Integer> settled = settledEvents(net);
      assertThat(settled.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(settled.values()).as("each request settled exactly once").allMatch(c -> c == 1);
      assertThat(logs(net, InferenceHub.RECEIPTSKIPPED_EVENT)).as("no receipt sent in a second transaction").isEmpty();
      InferenceHub hub = net.hubAs(DAPP);
      for (long id : ids) {
        assertThat(hub.isPending(BigInteger.valueOf(id)).send()).isFalse();
      }
      // every transaction the relayer's wallet sent succeeded, and the relayer's own ledger carried each receipt once
      for (var tx : walletTransactions(net)) {
        assertThat(net.anvil.web3j().ethGetTransactionReceipt(tx).send().getTransactionReceipt().orElseThrow().isStatusOK())
            .as("transaction %s", tx)
            .isTrue();
      }
      try (Connection c = TestInfra.postgres().connect();
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT x.request_id, count(*) FROM " + net.schema + ".tx_request x JOIN " + net.schema
                          + ".tx t ON t.id = x.tx_id WHERE t.kind = 'RECEIPTS' GROUP BY x.request_id HAVING count(*) > 1")) {
        assertThat(rs.next()).as("a receipt in two settlement transactions").isFalse();
      }
    }
  }

  private static ManagedProcess startRelayer(RelayerNetwork net, String name) {
    Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
    assertThat(jar).as("the packaged relayer (mvn package)").exists();
    int port = Ports.free();
    Map<String, String> env = new HashMap<>();
    env.put("CREDENCE_RELAYER_KEY_HEX", net.relayerConfig().get("credence.relayer.key.hex"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m"));
    cmd.add("-Dquarkus.http.port=" + port);
    net.relayerConfig().forEach(
        (k, v) -> {
          if (!k.equals("credence.relayer.key.hex")) {
            cmd.add("-D" + k + "=" + v);
          }
        });
    cmd.addAll(List.of("-jar", jar.toString()));
    ManagedProcess p = ManagedProcess.start("relayer-" + name, cmd, net.dir, net.dir.resolve("relayer-" + name + ".log"), env, false);
    p.awaitReady(Duration.ofSeconds(60), () -> RelayerNetwork.ready(port));
    return p;
  }

  private static Map<Long, Integer> settledEvents(RelayerNetwork net) {
    Map<Long, Integer> out = new HashMap<>();
    for (Log log : logs(net, InferenceHub.INFERENCESETTLED_EVENT)) {
      out.merge(InferenceHub.getInferenceSettledEventFromLog(log).requestId.longValueExact(), 1, Integer::sum);
    }
    return out;
  }

  private static List<Log> logs(RelayerNetwork net, org.web3j.abi.datatypes.Event event) {
    try {
      EthFilter filter =
          new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(net.deployment.startBlock())), DefaultBlockParameterName.LATEST, net.hub());
      filter.addSingleTopic(EventEncoder.encode(event));
      return net.anvil.web3j().ethGetLogs(filter).send().getLogs().stream().map(r -> (Log) r.get()).toList();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> walletTransactions(RelayerNetwork net) throws Exception {
    List<String> out = new ArrayList<>();
    long head = net.anvil.blockNumber();
    for (long b = net.deployment.startBlock(); b <= head; b++) {
      EthBlock.Block block = net.anvil.web3j().ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(b)), true).send().getBlock();
      for (var t : block.getTransactions()) {
        var tx = (EthBlock.TransactionObject) t.get();
        if (tx.getFrom().equalsIgnoreCase(RelayerNetwork.RELAYER.getAddress())) {
          out.add(tx.getHash());
        }
      }
    }
    assertThat(out).isNotEmpty();
    return out;
  }

  private static void await(java.util.function.BooleanSupplier done, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }
}
