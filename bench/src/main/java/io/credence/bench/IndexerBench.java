// Over 400 lines on purpose: one benchmark, read top to bottom as it runs (a history scripted on
// anvil, then each measured phase against its baseline in the same run, then the figures it prints
// and records); its parts are used nowhere else.
package io.credence.bench;

import io.credence.contracts.ExampleConsumer;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.contracts.WorkerRegistry;
import io.credence.devnet.Checkout;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.process.ManagedProcess;
import io.credence.devnet.process.Ports;
import io.credence.indexer.Indexing;
import io.credence.indexer.ingest.Ingest;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.chain.HubEvents;
import io.credence.protocol.chain.LogFollower;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.receipt.WorkerKeyProof;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.testkit.TestInfra;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.tx.gas.StaticEIP1559GasProvider;

/**
 * The indexer ({@code scripts/bench indexer [REQUESTS]}): a history of REQUESTS requests (default
 * 50 000) asked in transactions of 100 by a dApp (ExampleConsumer, callbacks on) and settled in
 * batches of 100 on a fresh anvil — at least 100 000 events with the registrations. Then, in the
 * same run and twice each, interleaved: the rate of merely fetching those logs (eth_getLogs in the
 * indexer's default ranges, read ahead) and decoding them; the rate of fetching, decoding and
 * recovering each settlement's signer; and a full backfill into a fresh PostgreSQL schema, each
 * with the CPU it used. {@code indexer.vs_raw.ratio} is the backfill's rate over the first, {@code
 * indexer.vs_raw_and_recover.ratio} over the second. Finally the packaged indexer serves that
 * schema and receipt and account pages are fetched by 16 concurrent clients, with the liveness
 * endpoint measured the same way as the baseline.
 *
 * <p>Over 400 lines: one benchmark (history, backfill, API load) whose steps share one fixture;
 * splitting them would spread one measurement over several files.
 */
public final class IndexerBench {
  private static final int PER_TX = 100;

  /**
   * The indexer's default ranges (credence.indexer.chain.initial-range, max-range, target-logs).
   */
  private static final int INITIAL_RANGE = 100;

  private static final int MAX_RANGE = 10_000;
  private static final int TARGET_LOGS = LogFollower.DEFAULT_TARGET_LOGS;
  private static final BigInteger FEE = BigInteger.valueOf(1_000_000_000_000_000L);
  private static final Credentials AUTHOR = AnvilNode.devAccount(1);
  private static final Credentials PROVIDER = AnvilNode.devAccount(2);
  private static final Credentials OPERATOR = AnvilNode.devAccount(3);
  private static final Credentials DAPP = AnvilNode.devAccount(7);
  private static final Credentials KEY =
      Credentials.create(
          Hashes.hex(Hashes.keccak256("indexer bench worker".getBytes(StandardCharsets.UTF_8))));

  private IndexerBench() {}

  public static void main(String[] args) {
    try {
      measure(args);
      System.exit(0);
    } catch (Exception e) {
      System.err.println("indexer benchmark failed: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void measure(String[] args) throws Exception {
    Path results = Path.of(args[0]);
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    Figures f = new Figures("scripts/bench indexer" + (args.length > 1 ? " " + args[1] : ""));
    TestInfra.postgres();
    Path dir = Files.createDirectories(Path.of("target", "indexer-bench").toAbsolutePath());
    try (AnvilNode anvil = AnvilNode.start(AnvilNode.Options.forTests(dir))) {
      ContractDeployer.Deployment d = ContractDeployer.deploy(anvil);
      long start = System.nanoTime();
      generate(anvil, d, requests);
      long head = anvil.blockNumber();
      System.out.printf(
          "# history: %d requests settled in %.1f s, %d blocks%n",
          requests, (System.nanoTime() - start) / 1e9, head - d.startBlock());

      double[] raw = new double[2];
      double[] recovered = new double[2];
      double[] indexed = new double[2];
      int events = 0;
      String schema = null;
      for (int round = 0; round < 2; round++) {
        Cpu c0 = Cpu.now();
        long t0 = System.nanoTime();
        events = fetchAndDecode(anvil, d, false);
        raw[round] = events / ((System.nanoTime() - t0) / 1e9);
        f.note(String.format("round %d fetch+decode: %s", round + 1, Cpu.since(c0)));
        Cpu cr = Cpu.now();
        long tr = System.nanoTime();
        fetchAndDecode(anvil, d, true);
        recovered[round] = events / ((System.nanoTime() - tr) / 1e9);
        f.note(String.format("round %d fetch+decode+recover: %s", round + 1, Cpu.since(cr)));
        schema = "indexer_bench_" + UUID.randomUUID().toString().substring(0, 8);
        javax.sql.DataSource ds = TestInfra.postgres().dataSource(schema);
        Indexing.createSchema(ds, schema);
        Ingest ingest = ingest(anvil, d);
        Indexing indexing = new Indexing(ds, ingest, follower(anvil, d, ingest));
        // -Dcredence.bench.jfr=FILE records the last round's backfill with Flight Recorder's
        // profile settings
        String jfr = round == 1 ? System.getProperty("credence.bench.jfr") : null;
        jdk.jfr.Recording recording =
            jfr == null
                ? null
                : new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        if (recording != null) {
          recording.start();
        }
        Cpu c1 = Cpu.now();
        long t1 = System.nanoTime();
        int steps = 0;
        while (!(indexing.step() instanceof Indexing.Result.Caught)) {
          steps++;
        }
        indexed[round] = events / ((System.nanoTime() - t1) / 1e9);
        if (recording != null) {
          recording.stop();
          recording.dump(Path.of(jfr));
          recording.close();
        }
        f.note(String.format("round %d backfill in %d steps: %s", round + 1, steps, Cpu.since(c1)));
        System.out.printf(
            "# round %d: %d events, fetch+decode %.0f/s, fetch+decode+recover signers %.0f/s, backfill %.0f/s%n",
            round + 1, events, raw[round], recovered[round], indexed[round]);
      }
      f.add("indexer.events", events, "events");
      f.add("indexer.events_per_s", (indexed[0] + indexed[1]) / 2, "events/s");
      f.add("indexer.raw.events_per_s", (raw[0] + raw[1]) / 2, "events/s");
      f.add("indexer.raw_and_recover.events_per_s", (recovered[0] + recovered[1]) / 2, "events/s");
      double ratio = (indexed[0] / raw[0] + indexed[1] / raw[1]) / 2;
      f.add("indexer.vs_raw.ratio", ratio, "x");
      f.add(
          "indexer.vs_raw_and_recover.ratio",
          (indexed[0] / recovered[0] + indexed[1] / recovered[1]) / 2,
          "x");
      f.note(
          String.format(
              java.util.Locale.ROOT,
              "target indexer.vs_raw.ratio >= 0.8: %s",
              ratio >= 0.8 ? "met" : "MISSED"));
      api(f, anvil, d, schema, dir, requests);
      f.note(
          "history: "
              + requests
              + " requests by ExampleConsumer.classifyMany (callbacks on) in transactions of "
              + PER_TX
              + ", settled in batches of "
              + PER_TX
              + ", on a fresh anvil; eth_getLogs ranges as the indexer's defaults ("
              + INITIAL_RANGE
              + " blocks to begin, at most "
              + MAX_RANGE
              + ", about "
              + TARGET_LOGS
              + " logs each), read ahead; 2 rounds each, interleaved");
    }
    f.write(results);
  }

  private static Ingest ingest(AnvilNode anvil, ContractDeployer.Deployment d) {
    return new Ingest(
        d.inferenceHub().getContractAddress(),
        d.modelRegistry().getContractAddress(),
        d.workerRegistry().getContractAddress(),
        anvil.chainId());
  }

  /** A follower as the indexer makes one with its default ranges. */
  private static LogFollower follower(
      AnvilNode anvil, ContractDeployer.Deployment d, Ingest ingest) {
    return new LogFollower(
            anvil.web3j(), ingest.addresses(), 0, d.startBlock(), INITIAL_RANGE, MAX_RANGE)
        .targetLogs(TARGET_LOGS)
        .prefetching();
  }

  /** Requests in transactions of {@link #PER_TX}, settled in batches of as many. */
  private static void generate(AnvilNode anvil, ContractDeployer.Deployment d, int requests)
      throws Exception {
    ContractGasProvider gas =
        new StaticEIP1559GasProvider(
            anvil.chainId(),
            BigInteger.valueOf(100_000_000_000L),
            BigInteger.ONE.shiftLeft(30),
            BigInteger.valueOf(29_000_000L));
    byte[] data = Hashes.sha256("bench dataset".getBytes(StandardCharsets.UTF_8));
    ModelRegistry.load(
            d.modelRegistry().getContractAddress(),
            anvil.web3j(),
            anvil.transactionManager(PROVIDER),
            gas)
        .registerDataset(data, "file:d.csv")
        .send();
    TransactionReceipt registered =
        ModelRegistry.load(
                d.modelRegistry().getContractAddress(),
                anvil.web3j(),
                anvil.transactionManager(AUTHOR),
                gas)
            .registerModel(
                Hashes.sha256("bench model".getBytes(StandardCharsets.UTF_8)),
                "file:m.onnx",
                FEE,
                BigInteger.ONE,
                List.of(
                    new ModelRegistry.Contributor(
                        AUTHOR.getAddress(),
                        BigInteger.ONE,
                        BigInteger.valueOf(7_000),
                        new byte[32]),
                    new ModelRegistry.Contributor(
                        PROVIDER.getAddress(), BigInteger.TWO, BigInteger.valueOf(3_000), data)))
            .send();
    BigInteger model = ModelRegistry.getModelRegisteredEvents(registered).get(0).modelId;
    Eip712Domain registryDomain =
        Eip712Domain.workerRegistry(anvil.chainId(), d.workerRegistry().getContractAddress());
    WorkerRegistry.load(
            d.workerRegistry().getContractAddress(),
            anvil.web3j(),
            anvil.transactionManager(OPERATOR),
            gas)
        .register(
            KEY.getAddress(),
            WorkerKeyProof.sign(new ReceiptSigner(KEY), registryDomain, OPERATOR.getAddress()),
            BigInteger.TEN.pow(18))
        .send();
    ExampleConsumer consumer =
        ExampleConsumer.deploy(
                anvil.web3j(),
                anvil.transactionManager(DAPP),
                gas,
                d.inferenceHub().getContractAddress())
            .send();
    InferenceHub hub =
        InferenceHub.load(
            d.inferenceHub().getContractAddress(),
            anvil.web3j(),
            anvil.transactionManager(OPERATOR),
            gas);
    byte[] modelHash = d.inferenceHub().modelTerms(model).send().component1();
    Eip712Domain domain =
        Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress());
    ReceiptSigner signer = new ReceiptSigner(KEY);
    byte[] output = output();
    byte[] outputHash = Hashes.keccak256(output);
    for (int done = 0; done < requests; done += PER_TX) {
      List<byte[]> inputs = new ArrayList<>(PER_TX);
      for (int k = 0; k < PER_TX; k++) {
        inputs.add(("input " + (done + k)).getBytes(StandardCharsets.UTF_8));
      }
      TransactionReceipt asked =
          consumer
              .classifyMany(
                  model,
                  inputs,
                  BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(3_600)),
                  BigInteger.ZERO,
                  FEE.multiply(BigInteger.valueOf(PER_TX)))
              .send();
      long at = anvil.latestTimestamp();
      List<InferenceHub.Receipt> receipts = new ArrayList<>(PER_TX);
      for (var e : InferenceHub.getInferenceRequestedEvents(asked)) {
        byte[] sig =
            signer.sign(
                new InferenceReceipt(e.requestId, modelHash, e.inputHash, outputHash, at)
                    .digest(domain));
        receipts.add(
            HubReceipts.receipt(
                e.requestId,
                HubReceipts.request(e),
                output,
                List.of(new HubReceipts.Signed(KEY.getAddress(), at, sig))));
      }
      TransactionReceipt settled = hub.submitReceipts(receipts).send();
      if (!settled.isStatusOK()
          || InferenceHub.getInferenceSettledEvents(settled).size() != PER_TX) {
        throw new IllegalStateException("a settlement batch did not settle all its receipts");
      }
      if ((done / PER_TX) % 50 == 49) {
        System.out.printf("# %d requests settled%n", done + PER_TX);
      }
    }
  }

  /** A classifier's output the ExampleConsumer decodes: probabilities float32 [1, 3]. */
  private static byte[] output() {
    return io.credence.protocol.tensor.TensorCodec.encode(
        List.of(
            io.credence.protocol.tensor.Tensor.ofFloat32(
                "probabilities", new long[] {1, 3}, 0.1f, 0.7f, 0.2f)));
  }

  /**
   * Fetches every log of the three contracts the way the follower does, and decodes each; with
   * {@code recover}, also recovers each settlement's signer (the one model of this history), a
   * range at a time on all cores, as the indexer does.
   */
  private static int fetchAndDecode(AnvilNode anvil, ContractDeployer.Deployment d, boolean recover)
      throws Exception {
    Eip712Domain domain =
        Eip712Domain.credence(anvil.chainId(), d.inferenceHub().getContractAddress());
    byte[] modelHash = d.inferenceHub().modelTerms(BigInteger.ONE).send().component1();
    Map<BigInteger, byte[]> inputHashes = new HashMap<>();
    Ingest ingest = ingest(anvil, d);
    LogFollower follower = follower(anvil, d, ingest);
    long[] last = {-1};
    String[] lastHash = {null};
    LogFollower.Checkpoints memory =
        new LogFollower.Checkpoints() {
          @Override
          public Optional<LogFollower.Block> last() {
            return last[0] < 0
                ? Optional.empty()
                : Optional.of(new LogFollower.Block(last[0], lastHash[0]));
          }

          @Override
          public Optional<LogFollower.Block> before(long number) {
            return Optional.empty();
          }
        };
    Map<String, java.util.function.Function<Log, Object>> decoders = new HashMap<>();
    // the indexer's decoders for these two, as it decodes them
    decoders.put(HubEvents.REQUESTED_TOPIC, HubEvents::requested);
    decoders.put(HubEvents.SETTLED_TOPIC, HubEvents::settled);
    int count = 0;
    long checksum = 0;
    while (true) {
      LogFollower.Step step = follower.next(memory);
      if (!(step instanceof LogFollower.Advance a)) {
        break;
      }
      List<java.util.concurrent.Callable<String>> recoveries = new ArrayList<>();
      for (Log log : a.logs()) {
        var decoder = decoders.get(log.getTopics().get(0));
        Object decoded = decoder == null ? log.getData() : decoder.apply(log);
        checksum += decoded.hashCode();
        if (recover && decoded instanceof InferenceHub.InferenceRequestedEventResponse e) {
          inputHashes.put(e.requestId, e.inputHash);
        } else if (recover && decoded instanceof InferenceHub.InferenceSettledEventResponse e) {
          // what the indexer must add to decoding: the signers, recovered from the proofs (on
          // all cores, a step at a time, as the indexer does)
          byte[] inputHash = inputHashes.get(e.requestId);
          recoveries.add(() -> {
            byte[] sig = ReceiptProofs.signature(e.proofs, 0);
            long at = ReceiptProofs.executedAt(e.proofs, 0);
            return ReceiptSigner.recover(
                new InferenceReceipt(
                        e.requestId, modelHash, inputHash, Hashes.keccak256(e.output), at)
                    .digest(domain),
                sig);
          });
        }
        count++;
      }
      checksum +=
          recoveries.parallelStream()
              .mapToLong(r -> {
                try {
                  return r.call().hashCode();
                } catch (Exception ex) {
                  throw new IllegalStateException(ex);
                }
              })
              .sum();
      last[0] = a.to().number();
      lastHash[0] = a.to().hash();
    }
    if (checksum == 42) {
      System.out.println("#"); // keeps the decoding from being optimised away
    }
    return count;
  }

  /**
   * The packaged indexer on the backfilled schema; receipt and account pages under concurrent load.
   */
  private static void api(
      Figures f,
      AnvilNode anvil,
      ContractDeployer.Deployment d,
      String schema,
      Path dir,
      int requests)
      throws Exception {
    Path jar = Checkout.root().resolve("indexer/target/quarkus-app/quarkus-run.jar");
    int port = Ports.free();
    var db = TestInfra.postgres();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dquarkus.http.port=" + port,
                "-Dcredence.chain.rpc-url=" + anvil.rpcUrl(),
                "-Dcredence.chain.id=" + anvil.chainId(),
                "-Dcredence.indexer.hub=" + d.inferenceHub().getContractAddress(),
                "-Dcredence.indexer.model-registry=" + d.modelRegistry().getContractAddress(),
                "-Dcredence.indexer.worker-registry=" + d.workerRegistry().getContractAddress(),
                "-Dcredence.indexer.chain.start-block=" + d.startBlock(),
                "-Dcredence.indexer.db-schema=" + schema));
    db.quarkusConfig().forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.addAll(List.of("-jar", jar.toString()));
    ManagedProcess indexer =
        ManagedProcess.start("indexer", cmd, dir, dir.resolve("indexer.log"), Map.of(), false);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String base = "http://127.0.0.1:" + port;
    try {
      indexer.awaitReady(
          Duration.ofSeconds(60), () -> status(http, base + "/q/health/ready") == 200);
      String[] accounts = {
        AUTHOR.getAddress(), PROVIDER.getAddress(), OPERATOR.getAddress(), d.deployer().getAddress()
      };
      // warm-up, then each endpoint alone under the same load
      load(
          http,
          8,
          200,
          i -> base + "/v1/requests/" + (1 + ThreadLocalRandom.current().nextInt(requests)));
      load(http, 8, 100, i -> base + "/v1/accounts/" + accounts[i % accounts.length]);
      long[] live = load(http, 16, 300, i -> base + "/q/health/live");
      long[] receipt =
          load(
              http,
              16,
              300,
              i -> base + "/v1/requests/" + (1 + ThreadLocalRandom.current().nextInt(requests)));
      long[] account =
          load(http, 16, 300, i -> base + "/v1/accounts/" + accounts[i % accounts.length]);
      f.add("indexer.api.receipt.p50_ms", p(receipt, 0.50), "ms");
      f.add("indexer.api.receipt.p99_ms", p(receipt, 0.99), "ms");
      f.add("indexer.api.account.p50_ms", p(account, 0.50), "ms");
      f.add("indexer.api.account.p99_ms", p(account, 0.99), "ms");
      f.add("indexer.api.p99_ms", Math.max(p(receipt, 0.99), p(account, 0.99)), "ms");
      f.add("indexer.api.baseline.p99_ms", p(live, 0.99), "ms");
      f.add(
          "indexer.api.p99_vs_baseline.ratio",
          Math.max(p(receipt, 0.99), p(account, 0.99)) / p(live, 0.99),
          "x");
      f.note(
          "api: 16 concurrent clients, 300 calls each per endpoint; baseline: /q/health/live under the same load");
    } finally {
      indexer.stop(Duration.ofSeconds(10));
    }
  }

  private static int status(HttpClient http, String url) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * {@code clients} threads, each making {@code calls} calls; every latency in nanoseconds, sorted.
   */
  private static long[] load(
      HttpClient http, int clients, int calls, java.util.function.IntFunction<String> url)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<long[]>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        futures.add(
            pool.submit(() -> {
              long[] out = new long[calls];
              for (int i = 0; i < calls; i++) {
                HttpRequest req =
                    HttpRequest.newBuilder(URI.create(url.apply(i)))
                        .timeout(Duration.ofSeconds(10))
                        .build();
                long t = System.nanoTime();
                HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                out[i] = System.nanoTime() - t;
                if (r.statusCode() != 200) {
                  throw new IllegalStateException(
                      req.uri()
                          + " answered "
                          + r.statusCode()
                          + ": "
                          + new String(r.body(), StandardCharsets.UTF_8));
                }
              }
              return out;
            }));
      }
      long[] all = new long[clients * calls];
      int k = 0;
      for (Future<long[]> fu : futures) {
        long[] part = fu.get();
        System.arraycopy(part, 0, all, k, part.length);
        k += part.length;
      }
      Arrays.sort(all);
      return all;
    } finally {
      pool.shutdown();
    }
  }

  private static double p(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))] / 1e6;
  }
}
