package io.credence.testkit.network;

import io.credence.contracts.DisputeCourt;
import io.credence.contracts.InferenceHub;
import io.credence.contracts.ModelRegistry;
import io.credence.devnet.Checkout;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.devnet.process.ManagedProcess;
import io.credence.devnet.process.Ports;
import io.credence.localnet.DemoSetup;
import io.credence.models.BenchMlp;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.dispute.SettlementRecords;
import io.credence.protocol.dispute.Tolerance;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceReceipt;
import io.credence.protocol.receipt.ReceiptProofs;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.protocol.settlement.HubReceipts;
import io.credence.protocol.tensor.Tensor;
import io.credence.protocol.tensor.TensorCodec;
import io.credence.testkit.TestInfra;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.utils.Numeric;

/**
 * A whole Credence network on the run's anvil, Kafka and PostgreSQL (testkit's {@link TestInfra}),
 * for tests and benchmarks: fresh contracts, a small MLP registered as model 1 (quorum 1) and model
 * 2 (quorum 2), the demo classifier with its two datasets on request, worker keys registered and
 * staked, topics and a database schema of its own, and the packaged worker and relayer started as
 * real processes. Several can share one anvil and broker.
 *
 * <p>Over 400 lines: the tests' one handle on a whole network (processes, contracts, chain reads);
 * each helper is small and shared by many tests.
 */
public final class LocalNetwork implements AutoCloseable {
  public static final BigInteger FEE = BigInteger.valueOf(1_000_000_000_000_000L);

  /** The most per gas {@link #request} pays back: far above a local chain's base fee. */
  public static final BigInteger MAX_FEE_PER_GAS = BigInteger.valueOf(50_000_000_000L);

  public static final String ZERO = "0x0000000000000000000000000000000000000000";
  public static final int[] MODEL = {4, 16, 3};

  /**
   * Worker signing keys (not funded: they only sign) and their operators (anvil dev accounts 3, 4;
   * each runs two keys). All four are staked, so a jury can be drawn around any answer.
   */
  public static final List<Credentials> WORKER_KEYS =
      List.of(
          testKey("credence relayer test worker 0"),
          testKey("credence relayer test worker 1"),
          testKey("credence relayer test worker 2"),
          testKey("credence relayer test worker 3"));

  public static final List<Credentials> OPERATORS =
      List.of(
          AnvilNode.devAccount(3),
          AnvilNode.devAccount(4),
          AnvilNode.devAccount(3),
          AnvilNode.devAccount(4));
  public static final Credentials AUTHOR = AnvilNode.devAccount(1);
  public static final Credentials RELAYER = AnvilNode.devAccount(6);
  public static final String ADMIN_TOKEN = "test-admin-token-" + UUID.randomUUID();

  public final AnvilNode anvil;
  public final ContractDeployer.Deployment deployment;
  public final Path dir;
  public final String jobsTopic;
  public final String resultsTopic;
  public final String workerGroup;
  public final String juriesTopic;
  public final String verdictsTopic;
  public final String schema;
  private final Map<String, Integer> relayerPorts = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<ManagedProcess> processes = new ArrayList<>();

  private LocalNetwork(String name, AnvilNode anvil) throws Exception {
    this.anvil = anvil;
    String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    dir = Files.createDirectories(Path.of("target", "network", id).toAbsolutePath());
    deployment = ContractDeployer.deploy(anvil);
    ContractGasProvider gas = ContractDeployer.gas(anvil.chainId());
    byte[] model = BenchMlp.build(MODEL, 42);
    Files.write(dir.resolve("mlp.onnx"), model);
    ModelRegistry registry =
        ModelRegistry.load(
            deployment.modelRegistry().getContractAddress(),
            anvil.web3j(),
            anvil.transactionManager(AUTHOR),
            gas);
    for (int quorum = 1; quorum <= 2; quorum++) {
      registry
          .registerModel(
              Hashes.sha256(model),
              "file:mlp.onnx",
              FEE,
              BigInteger.valueOf(quorum),
              List.of(
                  new ModelRegistry.Contributor(
                      AUTHOR.getAddress(),
                      BigInteger.ONE,
                      BigInteger.valueOf(10_000),
                      new byte[32])))
          .send();
    }
    for (int i = 0; i < WORKER_KEYS.size(); i++) {
      DemoSetup.registerWorker(
          anvil,
          deployment.workerRegistry().getContractAddress(),
          WORKER_KEYS.get(i),
          OPERATORS.get(i),
          BigInteger.TEN.pow(18));
    }
    String suffix = id.replaceAll("[^a-zA-Z0-9-]", "");
    jobsTopic = "credence.jobs.v1." + suffix;
    resultsTopic = "credence.results.v1." + suffix;
    workerGroup = "workers-" + suffix;
    juriesTopic = "credence.juries.v1." + suffix;
    verdictsTopic = "credence.verdicts.v1." + suffix;
    schema = "relayer_" + suffix.replace('-', '_').toLowerCase();
    TestInfra.kafka()
        .createTopics(
            4,
            jobsTopic,
            resultsTopic,
            resultsTopic + ".dlq",
            juriesTopic,
            juriesTopic + ".dlq",
            verdictsTopic,
            verdictsTopic + ".dlq");
  }

  private static Credentials testKey(String seed) {
    return Credentials.create(
        Hashes.hex(Hashes.keccak256(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
  }

  /** A network on the run's shared anvil. */
  public static LocalNetwork create(String name) {
    return create(name, TestInfra.anvil());
  }

  /** A network on {@code anvil} (Kafka and PostgreSQL are the run's). */
  public static LocalNetwork create(String name, AnvilNode anvil) {
    try {
      return new LocalNetwork(name, anvil);
    } catch (Exception e) {
      throw new IllegalStateException("could not set up the network: " + e.getMessage(), e);
    }
  }

  /** The DisputeCourt as {@code who}. */
  public DisputeCourt courtAs(Credentials who) {
    return DisputeCourt.load(
        deployment.disputeCourt().getContractAddress(),
        anvil.web3j(),
        anvil.transactionManager(who),
        ContractDeployer.gas(anvil.chainId()));
  }

  /**
   * Sets a model's accountability terms as its owner ({@link #AUTHOR}): audited at {@code
   * auditRateBps}, juries of {@code jurySize}, a one-day challenge window, outputs compared
   * exactly.
   */
  public void setAuditTerms(long modelId, int auditRateBps, int jurySize) {
    setAuditTerms(modelId, auditRateBps, jurySize, Tolerance.exact());
  }

  /** As {@link #setAuditTerms(long, int, int)}, outputs compared within {@code tolerance}. */
  public void setAuditTerms(long modelId, int auditRateBps, int jurySize, Tolerance tolerance) {
    try {
      courtAs(AUTHOR)
          .setModelTerms(
              BigInteger.valueOf(modelId),
              new DisputeCourt.Terms(
                  BigInteger.valueOf(86_400),
                  BigInteger.valueOf(auditRateBps),
                  BigInteger.valueOf(jurySize),
                  BigInteger.valueOf(tolerance.mode()),
                  BigInteger.valueOf(tolerance.ulps()),
                  BigInteger.valueOf(tolerance.absE9())))
          .send();
    } catch (Exception e) {
      throw new IllegalStateException("setting model " + modelId + "'s terms failed", e);
    }
  }

  /**
   * Challenges request {@code requestId}'s settled answer as {@code challenger} with {@code bond}:
   * its batch rebuilt from the settlement transaction's logs (every answer of the batch, its
   * request, its signers recovered from the proofs), as anyone can.
   *
   * @return the dispute's id
   */
  public long challenge(Credentials challenger, long requestId, BigInteger bond) throws Exception {
    Log settled =
        logs(InferenceHub.INFERENCESETTLED_EVENT).stream()
            .filter(l ->
                InferenceHub.getInferenceSettledEventFromLog(l).requestId.longValueExact()
                    == requestId)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("request " + requestId + " not settled"));
    var receipt =
        anvil
            .web3j()
            .ethGetTransactionReceipt(settled.getTransactionHash())
            .send()
            .getTransactionReceipt()
            .orElseThrow();
    String settledTopic = EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT);
    Map<Long, InferenceHub.Request> requests = new HashMap<>();
    for (Log l : logs(InferenceHub.INFERENCEREQUESTED_EVENT)) {
      var e = InferenceHub.getInferenceRequestedEventFromLog(l);
      requests.put(e.requestId.longValueExact(), HubReceipts.request(e));
    }
    Eip712Domain domain = Eip712Domain.credence(anvil.chainId(), hub());
    List<SettlementRecords.Leaf> leaves = new ArrayList<>();
    int index = -1;
    for (Log l : receipt.getLogs()) {
      if (l.getTopics().isEmpty() || !settledTopic.equals(l.getTopics().get(0))) {
        continue;
      }
      var e = InferenceHub.getInferenceSettledEventFromLog(l);
      long id = e.requestId.longValueExact();
      InferenceHub.Request r = requests.get(id);
      byte[] outputHash = Hashes.keccak256(e.output);
      byte[] modelHash = deployment.inferenceHub().modelTerms(r.modelId).send().component1();
      List<String> signers = new ArrayList<>();
      for (ReceiptProofs.Proof p : ReceiptProofs.decode(e.proofs)) {
        byte[] digest =
            new InferenceReceipt(e.requestId, modelHash, r.inputHash, outputHash, p.executedAt())
                .digest(domain);
        signers.add(ReceiptSigner.recover(digest, p.signature()));
      }
      if (id == requestId) {
        index = leaves.size();
      }
      leaves.add(new SettlementRecords.Leaf(id, r, outputHash, signers));
    }
    long block = receipt.getBlockNumber().longValueExact();
    long time =
        anvil
            .web3j()
            .ethGetBlockByNumber(DefaultBlockParameter.valueOf(receipt.getBlockNumber()), false)
            .send()
            .getBlock()
            .getTimestamp()
            .longValueExact();
    TransactionReceipt opened =
        courtAs(challenger)
            .challenge(
                SettlementRecords.batch(leaves.get(0).requestId(), block, time, leaves),
                BigInteger.valueOf(index),
                leaves.get(index).toCourt(),
                bond)
            .send();
    return DisputeCourt.getDisputeOpenedEvents(opened).get(0).disputeId.longValueExact();
  }

  public String hub() {
    return deployment.inferenceHub().getContractAddress();
  }

  /** The relayer's configuration for this network. */
  public Map<String, String> relayerConfig() {
    Map<String, String> c = new HashMap<>();
    c.put("credence.chain.rpc-url", anvil.rpcUrl());
    c.put("credence.chain.id", Long.toString(anvil.chainId()));
    c.put("credence.relayer.hub", hub());
    c.put("credence.relayer.worker-registry", deployment.workerRegistry().getContractAddress());
    c.put("credence.relayer.model-registry", deployment.modelRegistry().getContractAddress());
    c.put(
        "credence.relayer.key.hex",
        Numeric.toHexStringNoPrefixZeroPadded(RELAYER.getEcKeyPair().getPrivateKey(), 64));
    c.put("credence.relayer.chain.start-block", Long.toString(deployment.startBlock()));
    c.put("credence.relayer.admin-token", ADMIN_TOKEN);
    c.put("credence.relayer.jobs-topic", jobsTopic);
    c.put("credence.relayer.worker-group", workerGroup);
    c.put("credence.relayer.db-schema", schema);
    c.put("mp.messaging.incoming.results.topic", resultsTopic);
    c.put("mp.messaging.incoming.results.group.id", "relayer-" + workerGroup);
    c.put("mp.messaging.incoming.results.dead-letter-queue.topic", resultsTopic + ".dlq");
    c.put("credence.relayer.court", deployment.disputeCourt().getContractAddress());
    c.put("credence.relayer.accountability.juries-topic", juriesTopic);
    c.put("mp.messaging.incoming.verdicts.topic", verdictsTopic);
    c.put("mp.messaging.incoming.verdicts.group.id", "relayer-" + workerGroup);
    c.put("mp.messaging.incoming.verdicts.dead-letter-queue.topic", verdictsTopic + ".dlq");
    c.put("kafka.bootstrap.servers", TestInfra.kafka().bootstrapServers());
    c.putAll(TestInfra.postgres().quarkusConfig());
    return c;
  }

  /**
   * Registers the demo classifier ({@code models/demo}, made by {@code scripts/models}) with its
   * two dataset files: author {@link #AUTHOR} 60 %, each data provider 20 %; quorum 1.
   *
   * @return the model id
   */
  public long registerDemoModel() {
    try {
      Path demo = DemoSetup.files(Checkout.root());
      Files.copy(
          demo.resolve("iris-classifier.onnx"),
          dir.resolve("iris-classifier.onnx"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return DemoSetup.registerModel(anvil, deployment.modelRegistry().getContractAddress(), demo);
    } catch (Exception e) {
      throw new IllegalStateException("could not register the demo model: " + e.getMessage(), e);
    }
  }

  /** Starts the packaged worker with key {@code index} as a process and waits until it is ready. */
  public ManagedProcess startWorker(int index) {
    return startWorker(index, Map.of());
  }

  /**
   * Starts the packaged worker with key {@code index} sitting on juries only: its jobs come from a
   * topic nobody writes to, so it answers no request but judges those the court draws it for.
   */
  public ManagedProcess startJuror(int index) {
    String idle = jobsTopic + ".idle";
    TestInfra.kafka().createTopics(1, idle, idle + ".dlq");
    return startWorker(
        index,
        Map.of(
            "mp.messaging.incoming.jobs.topic", idle,
            "mp.messaging.incoming.jobs.group.id", "idle-" + workerGroup,
            "mp.messaging.incoming.jobs.dead-letter-queue.topic", idle + ".dlq"));
  }

  /**
   * Starts the packaged worker with key {@code index} and {@code overrides} on top of the network's
   * configuration (e.g. {@code credence.worker.lie.rate} for a lying worker).
   */
  public ManagedProcess startWorker(int index, Map<String, String> overrides) {
    Path jar = Checkout.root().resolve("inference-worker/target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          "the packaged worker is missing: build the reactor (scripts/test) so " + jar + " exists");
    }
    int port = Ports.free();
    Map<String, String> env = new HashMap<>();
    env.put(
        "CREDENCE_WORKER_KEY_HEX",
        Numeric.toHexStringNoPrefixZeroPadded(
            WORKER_KEYS.get(index).getEcKeyPair().getPrivateKey(), 64));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "--enable-native-access=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + TestInfra.kafka().bootstrapServers(),
                "-Dmp.messaging.incoming.jobs.topic=" + jobsTopic,
                "-Dmp.messaging.incoming.jobs.group.id=" + workerGroup,
                "-Dmp.messaging.incoming.jobs.dead-letter-queue.topic=" + jobsTopic + ".dlq",
                "-Dmp.messaging.incoming.jobs.session.timeout.ms=6000",
                "-Dmp.messaging.incoming.jobs.heartbeat.interval.ms=1000",
                "-Dmp.messaging.outgoing.results.topic=" + resultsTopic,
                "-Dmp.messaging.incoming.juries.topic=" + juriesTopic,
                "-Dmp.messaging.incoming.juries.dead-letter-queue.topic=" + juriesTopic + ".dlq",
                "-Dmp.messaging.outgoing.verdicts.topic=" + verdictsTopic,
                // a juror group per key and network: networks of one run share the broker and keys
                "-Dcredence.worker.jury.group-id=jurors-" + workerGroup + "-" + index,
                "-Dcredence.chain.rpc-url=" + anvil.rpcUrl(),
                "-Dcredence.chain.id=" + anvil.chainId(),
                "-Dcredence.worker.hub=" + hub(),
                "-Dcredence.worker.worker-registry="
                    + deployment.workerRegistry().getContractAddress(),
                "-Dcredence.worker.models.file-root=" + dir,
                "-Dcredence.worker.models.cache-dir=" + dir.resolve("cache-" + index),
                "-Dcredence.worker.results-dir=" + dir.resolve("results-" + index)));
    overrides.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.addAll(List.of("-jar", jar.toString()));
    ManagedProcess p =
        ManagedProcess.start(
            "worker-" + index, cmd, dir, dir.resolve("worker-" + index + ".log"), env, false);
    processes.add(p);
    p.awaitReady(Duration.ofSeconds(60), () -> ready(port));
    return p;
  }

  /** True when the Quarkus service on {@code port} answers its readiness check with 200. */
  public static boolean ready(int port) {
    try {
      var c =
          (java.net.HttpURLConnection)
              java.net
                  .URI
                  .create("http://127.0.0.1:" + port + "/q/health/ready")
                  .toURL()
                  .openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      return c.getResponseCode() == 200;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /**
   * Starts the packaged relayer (this module's own jar) as a process on this network and waits
   * until it is ready.
   */
  public ManagedProcess startRelayer(String name) {
    return startRelayer(name, Map.of());
  }

  /** Starts the packaged relayer with {@code overrides} on top of {@link #relayerConfig()}. */
  public ManagedProcess startRelayer(String name, Map<String, String> overrides) {
    Path jar = Checkout.root().resolve("relayer/target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          "the packaged relayer is missing: build the reactor (scripts/test) so "
              + jar
              + " exists");
    }
    int port = Ports.free();
    Map<String, String> env = new HashMap<>();
    env.put("CREDENCE_RELAYER_KEY_HEX", relayerConfig().get("credence.relayer.key.hex"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m"));
    cmd.add("-Dquarkus.http.port=" + port);
    Map<String, String> config = new HashMap<>(relayerConfig());
    config.putAll(overrides);
    config.forEach((k, v) -> {
      if (!k.equals("credence.relayer.key.hex")) {
        cmd.add("-D" + k + "=" + v);
      }
    });
    cmd.addAll(List.of("-jar", jar.toString()));
    ManagedProcess p =
        ManagedProcess.start(
            "relayer-" + name, cmd, dir, dir.resolve("relayer-" + name + ".log"), env, false);
    processes.add(p);
    relayerPorts.put(name, port);
    p.awaitReady(Duration.ofSeconds(60), () -> ready(port));
    return p;
  }

  /** Base URL of the relayer started as {@code name}. */
  public String relayerUrl(String name) {
    Integer port = relayerPorts.get(name);
    if (port == null) {
      throw new IllegalArgumentException("no relayer " + name + " was started on this network");
    }
    return "http://127.0.0.1:" + port;
  }

  /** The log file of a process this network started ({@code worker-0}, {@code relayer-<name>}). */
  public Path logFile(String process) {
    return dir.resolve(process + ".log");
  }

  /** InferenceSettled events on the canonical chain, counted by request id. */
  public Map<Long, Integer> settledEvents() {
    Map<Long, Integer> out = new HashMap<>();
    for (Log log : logs(InferenceHub.INFERENCESETTLED_EVENT)) {
      out.merge(
          InferenceHub.getInferenceSettledEventFromLog(log).requestId.longValueExact(),
          1,
          Integer::sum);
    }
    return out;
  }

  /**
   * What closing request {@code requestId} (settled, refunded or expired) gave back to its
   * requester of its gas allowance: the allowance less what its {@code GasReimbursed} charged.
   */
  public BigInteger gasReturned(long requestId) throws Exception {
    BigInteger allowance =
        logs(InferenceHub.INFERENCEREQUESTED_EVENT).stream()
            .map(InferenceHub::getInferenceRequestedEventFromLog)
            .filter(e -> e.requestId.longValueExact() == requestId)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no request " + requestId))
            .gasAllowance;
    List<String> closing =
        List.of(
            EventEncoder.encode(InferenceHub.INFERENCESETTLED_EVENT),
            EventEncoder.encode(InferenceHub.INFERENCEFAILED_EVENT),
            EventEncoder.encode(InferenceHub.INFERENCEEXPIRED_EVENT));
    String reimbursed = EventEncoder.encode(InferenceHub.GASREIMBURSED_EVENT);
    String topic = Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(requestId), 64);
    for (org.web3j.abi.datatypes.Event event :
        List.of(
            InferenceHub.INFERENCESETTLED_EVENT,
            InferenceHub.INFERENCEFAILED_EVENT,
            InferenceHub.INFERENCEEXPIRED_EVENT)) {
      for (Log closed : logs(event)) {
        if (!topic.equals(closed.getTopics().get(1))) {
          continue;
        }
        var receipt =
            anvil
                .web3j()
                .ethGetTransactionReceipt(closed.getTransactionHash())
                .send()
                .getTransactionReceipt()
                .orElseThrow();
        int index = 0;
        for (Log l : receipt.getLogs()) {
          String t = l.getTopics().isEmpty() ? "" : l.getTopics().get(0);
          if (closing.contains(t)) {
            if (topic.equals(l.getTopics().get(1))) {
              break;
            }
            index++;
          }
        }
        for (Log l : receipt.getLogs()) {
          if (!l.getTopics().isEmpty() && reimbursed.equals(l.getTopics().get(0))) {
            return allowance.subtract(
                InferenceHub.getGasReimbursedEventFromLog(l).charges.get(index));
          }
        }
      }
    }
    throw new IllegalStateException("request " + requestId + " is not closed");
  }

  /** The hub's logs of one event on the canonical chain since deployment. */
  public List<Log> logs(org.web3j.abi.datatypes.Event event) {
    return logs(hub(), event);
  }

  /** Every log of {@code event} the DisputeCourt emitted since the deployment. */
  public List<Log> courtLogs(org.web3j.abi.datatypes.Event event) {
    return logs(deployment.disputeCourt().getContractAddress(), event);
  }

  private List<Log> logs(String address, org.web3j.abi.datatypes.Event event) {
    try {
      EthFilter filter =
          new EthFilter(
              DefaultBlockParameter.valueOf(BigInteger.valueOf(deployment.startBlock())),
              DefaultBlockParameterName.LATEST,
              address);
      filter.addSingleTopic(EventEncoder.encode(event));
      return anvil.web3j().ethGetLogs(filter).send().getLogs().stream()
          .map(r -> (Log) r.get())
          .toList();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Hashes of every transaction the relayer's wallet has on the canonical chain. */
  public List<String> walletTransactions() throws Exception {
    List<String> out = new ArrayList<>();
    long head = anvil.blockNumber();
    for (long b = deployment.startBlock(); b <= head; b++) {
      EthBlock.Block block =
          anvil
              .web3j()
              .ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(b)), true)
              .send()
              .getBlock();
      for (var t : block.getTransactions()) {
        var tx = (EthBlock.TransactionObject) t.get();
        if (tx.getFrom().equalsIgnoreCase(RELAYER.getAddress())) {
          out.add(tx.getHash());
        }
      }
    }
    return out;
  }

  /** Polls {@code done} every 100 ms until it holds, or fails with {@code what}. */
  public static void await(java.util.function.BooleanSupplier done, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }

  /** The hub as {@code who}. */
  public InferenceHub hubAs(Credentials who) {
    return InferenceHub.load(
        hub(), anvil.web3j(), anvil.transactionManager(who), ContractDeployer.gas(anvil.chainId()));
  }

  /** A model input: one row of four features. */
  public static byte[] input(float a, float b, float c, float d) {
    return TensorCodec.encode(
        List.of(Tensor.ofFloat32(BenchMlp.INPUT, new long[] {1, 4}, a, b, c, d)));
  }

  /**
   * Requests an inference as {@code dapp}, paying {@link #FEE} and the gas allowance the hub quotes
   * at {@link #MAX_FEE_PER_GAS}; returns the request id.
   */
  public long request(Credentials dapp, long modelId, byte[] input, long deadlineSeconds)
      throws Exception {
    return InferenceHub.getInferenceRequestedEvents(
            requestTx(dapp, modelId, input, deadlineSeconds))
        .get(0)
        .requestId
        .longValueExact();
  }

  /** {@link #request}, returning the mined request transaction. */
  public TransactionReceipt requestTx(
      Credentials dapp, long modelId, byte[] input, long deadlineSeconds) throws Exception {
    InferenceHub hub = hubAs(dapp);
    BigInteger allowance =
        hub.quote(BigInteger.valueOf(modelId), BigInteger.ZERO, MAX_FEE_PER_GAS)
            .send()
            .component2();
    TransactionReceipt tx =
        hub.requestInference(
                BigInteger.valueOf(modelId),
                input,
                BigInteger.valueOf(new ChainTime(anvil.web3j()).deadlineIn(deadlineSeconds)),
                ZERO,
                BigInteger.ZERO,
                allowance,
                MAX_FEE_PER_GAS,
                FEE.add(allowance))
            .send();
    return tx;
  }

  @Override
  public void close() {
    processes.forEach(w -> w.stop(Duration.ofSeconds(10)));
    processes.clear();
  }
}
