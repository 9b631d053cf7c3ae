package io.credence.bench;

import io.credence.contracts.ExampleConsumer;
import io.credence.contracts.InferenceHub;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.client.RelayerClient;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceRequest;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.testkit.network.LocalNetwork;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.web3j.crypto.Credentials;
import org.web3j.tx.RawTransactionManager;
import org.web3j.tx.response.NoOpProcessor;
import org.web3j.utils.Numeric;

/**
 * The e2e run where half the requests are signed over HTTP ({@code POST /v1/requests}, a user with
 * only a vault deposit) and half asked by the dApp on-chain: the signed ones' latency from the POST
 * to their settlement seen on-chain, and what the relayer's wallet spent and was paid back.
 */
final class SignedE2e {
  /** What the run measured. */
  record Result(
      double offeredPerSecond, long[] signedLatenciesNanos, E2eBench.Economics economics) {
    double latencyMs(double q) {
      return signedLatenciesNanos[
              Math.min(signedLatenciesNanos.length - 1, (int) (signedLatenciesNanos.length * q))]
          / 1e6;
    }
  }

  private static final Credentials DAPP = AnvilNode.devAccount(7);
  private static final Credentials USER =
      Credentials.create(Hashes.hex(Hashes.keccak256("e2e bench signed user".getBytes())));
  private static final int THREADS = 8;

  private SignedE2e() {}

  static Result run(AnvilNode anvil, int rate, int seconds, List<String> inputs) throws Exception {
    System.out.println("# signed: half the requests signed over HTTP, " + rate + " requests/s");
    try (LocalNetwork net = LocalNetwork.create("e2e-signed", anvil)) {
      long model = net.registerDemoModel();
      net.startWorker(0);
      net.startRelayer(
          "signed",
          Map.of(
              "credence.relayer.signed.rate-per-second", "100000",
              "credence.relayer.signed.burst", "100000"));
      var gas = ContractDeployer.gas(anvil.chainId());
      ExampleConsumer consumer =
          ExampleConsumer.deploy(anvil.web3j(), anvil.transactionManager(DAPP), gas, net.hub())
              .send();
      ExampleConsumer fast =
          ExampleConsumer.load(
              consumer.getContractAddress(),
              anvil.web3j(),
              new RawTransactionManager(
                  anvil.web3j(), DAPP, anvil.chainId(), new NoOpProcessor(anvil.web3j())),
              gas);
      InferenceHub hub = net.hubAs(DAPP);
      hub.depositFor(USER.getAddress(), BigInteger.TEN.pow(20)).send();
      Watcher watcher = new Watcher(anvil.web3j(), net.hub(), anvil.blockNumber() + 1);
      Thread watching = Thread.ofPlatform().name("e2e-signed-watcher").daemon().start(watcher);
      Eip712Domain domain = Eip712Domain.credence(anvil.chainId(), net.hub());
      String relayer = net.relayerUrl("signed");

      int signedTotal = rate * seconds / 2;
      long interval = 2_000_000_000L / rate; // one signed request every 2/rate s
      Map<Long, Long> postedAt = new ConcurrentHashMap<>();
      AtomicLong[] sequence = new AtomicLong[THREADS];
      Arrays.setAll(sequence, k -> new AtomicLong());
      Set<Long> dappIds = new HashSet<>();
      List<Future<?>> posts = new ArrayList<>();
      long start = System.nanoTime();
      try (ExecutorService pool = Executors.newFixedThreadPool(THREADS);
          RelayerClient client = new RelayerClient(relayer)) {
        long nextDapp = start;
        for (int i = 0; i < signedTotal; i++) {
          long due = start + i * interval;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          if (System.nanoTime() >= nextDapp) { // the dApp's half, PER_TX a transaction
            dappIds.addAll(E2eBench.ask(fast, anvil, model, inputs, i, watcher));
            nextDapp += 2_000_000_000L * E2eBench.PER_TX / rate;
          }
          int n = i;
          posts.add(
              pool.submit(() -> {
                int key = n % THREADS;
                byte[] input = Numeric.hexStringToByteArray(inputs.get(n % inputs.size()));
                var quote =
                    hub.quoteSigned(
                            BigInteger.valueOf(model),
                            BigInteger.valueOf(input.length),
                            BigInteger.ZERO,
                            LocalNetwork.MAX_FEE_PER_GAS)
                        .send();
                InferenceRequest r;
                synchronized (sequence[key]) {
                  r =
                      new InferenceRequest(
                          USER.getAddress(),
                          BigInteger.valueOf(model),
                          Hashes.keccak256(input),
                          quote.component1(),
                          quote.component2(),
                          LocalNetwork.MAX_FEE_PER_GAS,
                          new ChainTime(anvil.web3j()).deadlineIn(3_600),
                          InferenceRequest.NO_CALLBACK,
                          0,
                          InferenceRequest.nonce(
                              BigInteger.valueOf(key + 1), sequence[key].getAndIncrement()));
                  long t0 = System.nanoTime();
                  long id =
                      client.submit(
                          r,
                          input,
                          new ReceiptSigner(USER).sign(r, domain),
                          Duration.ofSeconds(120));
                  postedAt.put(id, t0);
                }
                return null;
              }));
        }
        for (Future<?> f : posts) {
          f.get();
        }
      }
      double offered = (postedAt.size() + dappIds.size()) / ((System.nanoTime() - start) / 1e9);
      Set<Long> all = new HashSet<>(postedAt.keySet());
      all.addAll(dappIds);
      watcher.awaitSettled(all, 600);
      watcher.stop.set(true);
      watching.join();
      long[] latencies =
          postedAt.entrySet().stream()
              .mapToLong(e -> watcher.settledAt.get(e.getKey()) - e.getValue())
              .sorted()
              .toArray();
      E2eBench.Economics economics = E2eBench.economics(net);
      System.out.printf(
          java.util.Locale.ROOT,
          "# signed: %d signed and %d dApp requests, %.1f/s offered; %s%n",
          postedAt.size(),
          dappIds.size(),
          offered,
          economics);
      return new Result(offered, latencies, economics);
    }
  }
}
