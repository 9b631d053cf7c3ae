package io.credence.relayer.settle;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.relayer.RelayerMetrics;
import io.credence.relayer.model.TxKind;
import io.credence.relayer.model.TxState;
import io.credence.relayer.store.RelayerSchema;
import io.credence.relayer.store.TxStore;
import io.credence.testkit.PostgresDatabase;
import io.credence.testkit.ScriptedNode;
import io.credence.testkit.junit.WithPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * The transaction tracker against a real PostgreSQL schema and a scripted node ({@link
 * ScriptedNode}): what it does for each thing a node can say about a transaction it was sent.
 */
@WithPostgres
class TransactionTrackerIT {
  private static final Credentials KEY = Credentials.create("0x" + "4c".repeat(32));
  private static final String HUB = "0x" + "ee".repeat(20);
  private static final BigInteger GWEI = BigInteger.TEN.pow(9);
  private static RelayerSchema schema;

  private final ScriptedNode node = new ScriptedNode();
  private final Map<String, Object> receipts = new HashMap<>();
  private final AtomicLong latestNonce = new AtomicLong();
  private final AtomicLong head = new AtomicLong(100);

  /** The last block the chain listener processed. */
  private final AtomicLong listened = new AtomicLong(1_000);

  private Wallet wallet;

  @BeforeEach
  void fresh(PostgresDatabase pg) throws Exception {
    if (schema == null) {
      schema = new RelayerSchema(pg);
    }
    schema.clear();
    node.answer(
            "eth_getTransactionCount",
            p -> Numeric.encodeQuantity(BigInteger.valueOf(latestNonce.get())))
        .answer("eth_blockNumber", p -> Numeric.encodeQuantity(BigInteger.valueOf(head.get())))
        .answer(
            "eth_getBlockByNumber",
            Map.of(
                "number",
                "0x64",
                "hash",
                "0x" + "ab".repeat(32),
                "baseFeePerGas",
                Numeric.encodeQuantity(GWEI),
                "transactions",
                List.of()))
        .answer("eth_sendRawTransaction", p -> Hash.sha3(p.get(0).asText()))
        .answer("eth_getTransactionReceipt", p -> receipts.get(p.get(0).asText()))
        // the node knows every transaction it was sent (a forgotten one is another test's business)
        .answer(
            "eth_getTransactionByHash",
            p ->
                Map.of(
                    "hash",
                    p.get(0).asText(),
                    "nonce",
                    "0x0",
                    "input",
                    "0x",
                    "value",
                    "0x0",
                    "gas",
                    "0x5208",
                    "gasPrice",
                    "0x1"));
    wallet = wallet();
    wallet.syncNonce();
  }

  private RelayerMetrics metrics() {
    return new RelayerMetrics(new SimpleMeterRegistry(), schema.requests, schema.txs);
  }

  private Wallet wallet() {
    return new Wallet(
        node.web3j(),
        31337,
        HUB,
        KEY,
        schema.nonces,
        schema.txs,
        new FeePolicy(GWEI.multiply(BigInteger.valueOf(200)), GWEI, 20),
        metrics(),
        BigInteger.ZERO,
        Duration.ofSeconds(10));
  }

  private TransactionTracker tracker(int confirmations, Clock clock) {
    return new TransactionTracker(
        node.web3j(),
        wallet,
        schema.txs,
        schema.nonces,
        new FeePolicy(GWEI.multiply(BigInteger.valueOf(200)), GWEI, 20),
        metrics(),
        HUB,
        confirmations,
        Duration.ofSeconds(30),
        clock,
        listened::get);
  }

  /** Request {@code id} seen and sent in a settlement transaction; returns the transaction. */
  private TxStore.Tx settle(long id) throws Exception {
    schema.seen(id, 10);
    wallet.send(TxKind.RECEIPTS, "0x1234", BigInteger.valueOf(100_000), List.of(id));
    long last = schema.db.one("SELECT max(id) FROM tx", rs -> rs.getLong(1)).orElseThrow();
    return schema.txs.load(last).orElseThrow();
  }

  private static Map<String, Object> receipt(String hash, long block, boolean ok) {
    return Map.of(
        "transactionHash",
        hash,
        "blockNumber",
        Numeric.encodeQuantity(BigInteger.valueOf(block)),
        "gasUsed",
        "0x5208",
        "status",
        ok ? "0x1" : "0x0",
        "logs",
        List.of());
  }

  @Test
  void aSentTransactionIsStoredBeforeItIsSentAndCarriesItsRequests() throws Exception {
    TxStore.Tx tx = settle(1);
    assertThat(tx.state()).isEqualTo(TxState.PENDING);
    assertThat(tx.nonce()).isZero();
    assertThat(node.rawSent()).containsExactly(Numeric.toHexString(tx.raw()));
    assertThat(Hash.sha3(Numeric.toHexString(tx.raw()))).isEqualTo(tx.hash());
    assertThat(tx.maxFee())
        .as("twice the base fee plus the tip")
        .isEqualTo(GWEI.multiply(BigInteger.valueOf(3)));
    assertThat(schema.stateOf(1)).isEqualTo("SUBMITTED");
  }

  @Test
  void aMinedTransactionIsFinalOnceItHasTheConfirmations() throws Exception {
    TxStore.Tx tx = settle(1);
    latestNonce.set(1);
    receipts.put(tx.hash(), receipt(tx.hash(), 100, true));
    TransactionTracker tracker = tracker(2, Clock.systemUTC());
    tracker.track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state()).isEqualTo(TxState.MINED);
    head.set(101);
    tracker.track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state())
        .as("one block on top of two")
        .isEqualTo(TxState.MINED);
    head.set(102);
    tracker.track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state()).isEqualTo(TxState.FINAL);
    assertThat(schema.txs.open(wallet.address())).isEmpty();
  }

  @Test
  void aRevertedTransactionSendsItsRequestsBackToBeCheckedAgain() throws Exception {
    TxStore.Tx tx = settle(1);
    latestNonce.set(1);
    receipts.put(tx.hash(), receipt(tx.hash(), 100, false));
    tracker(0, Clock.systemUTC()).track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state()).isEqualTo(TxState.REVERTED);
    assertThat(schema.stateOf(1)).isEqualTo("RESULT");
  }

  @Test
  void aTransactionWhoseNonceAnotherTookIsDroppedAndItsRequestsGoBackToTheQueue() throws Exception {
    TxStore.Tx tx = settle(1);
    latestNonce.set(1);
    tracker(0, Clock.systemUTC()).track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state()).isEqualTo(TxState.DROPPED);
    assertThat(schema.stateOf(1)).isEqualTo("RESULT");
  }

  @Test
  void aStuckTransactionIsReplacedUnderTheSameNonceWithHigherFees() throws Exception {
    TxStore.Tx tx = settle(1);
    // an hour from now every transaction sent now is past stuck-after (30 s)
    tracker(0, Clock.offset(Clock.systemUTC(), Duration.ofHours(1))).track();
    TxStore.Tx replaced = schema.txs.load(tx.id()).orElseThrow();
    assertThat(replaced.nonce()).isEqualTo(tx.nonce());
    assertThat(replaced.hashes()).hasSize(2).startsWith(tx.hash());
    assertThat(replaced.maxFee())
        .isEqualTo(
            tx.maxFee()
                .multiply(BigInteger.valueOf(120))
                .divide(BigInteger.valueOf(100))
                .add(BigInteger.ONE));
    assertThat(node.rawSent()).hasSize(2).last().isEqualTo(Numeric.toHexString(replaced.raw()));
  }

  @Test
  void aReceiptOfAnEarlierHashOfAReplacedTransactionCountsAsMined() throws Exception {
    TxStore.Tx tx = settle(1);
    tracker(0, Clock.offset(Clock.systemUTC(), Duration.ofHours(1))).track();
    receipts.put(tx.hash(), receipt(tx.hash(), 100, true));
    latestNonce.set(1);
    tracker(0, Clock.systemUTC()).track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state()).isIn(TxState.MINED, TxState.FINAL);
  }

  @Test
  void aNonceNoTransactionHoldsIsFilledWithAnEmptyTransfer() throws Exception {
    latestNonce.set(3);
    schema.nonces.sync(wallet.address(), 5);
    TxStore.Tx tx = settle(1);
    assertThat(tx.nonce()).isEqualTo(5);
    tracker(0, Clock.systemUTC()).track();
    List<TxStore.Tx> gaps =
        schema.txs.open(wallet.address()).stream()
            .map(id -> schema.txs.load(id).orElseThrow())
            .filter(t -> t.kind() == TxKind.GAP)
            .toList();
    assertThat(gaps).extracting(TxStore.Tx::nonce).containsExactly(3L, 4L);
    assertThat(gaps).allMatch(g -> g.to().equals(wallet.address()));
    assertThat(node.rawSent()).hasSize(3);
  }

  @Test
  void aWalletThatCannotPayDropsTheTransactionHandsBackItsNonceAndPausesSending() throws Exception {
    node.fail(
        "eth_sendRawTransaction",
        "insufficient funds for gas * price + value: have 0 want 2100000");
    TxStore.Tx tx = settle(1);
    assertThat(tx.state()).isEqualTo(TxState.DROPPED);
    assertThat(schema.stateOf(1)).isEqualTo("RESULT");
    assertThat(schema.nonces.next(wallet.address())).contains(0L);
    assertThat(wallet.canSend()).isFalse();
  }

  @Test
  void aMinedTransactionIsFinalOnlyOnceTheListenerReadItsBlock() throws Exception {
    TxStore.Tx tx = settle(1);
    latestNonce.set(1);
    receipts.put(tx.hash(), receipt(tx.hash(), 100, true));
    listened.set(99);
    TransactionTracker tracker = tracker(0, Clock.systemUTC());
    tracker.track();
    tracker.track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state())
        .as("block 100 not read by the listener")
        .isEqualTo(TxState.MINED);
    listened.set(100);
    tracker.track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state()).isEqualTo(TxState.FINAL);
  }

  @Test
  void aReceiptTheNodeDoesNotReturnForATransactionStillInABlockIsReadAgainNotUnmined()
      throws Exception {
    TxStore.Tx tx = settle(1);
    latestNonce.set(1);
    receipts.put(tx.hash(), receipt(tx.hash(), 100, true));
    listened.set(99);
    TransactionTracker tracker = tracker(0, Clock.systemUTC());
    tracker.track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state()).isEqualTo(TxState.MINED);

    // a node behind on receipts (or one behind a balancer) answers none, but still has the
    // transaction in block 100
    receipts.clear();
    node.answer(
        "eth_getTransactionByHash",
        p ->
            Map.of(
                "hash", p.get(0).asText(),
                "blockHash", "0x" + "ab".repeat(32),
                "blockNumber", "0x64",
                "nonce", "0x0",
                "input", "0x",
                "value", "0x0",
                "gas", "0x5208",
                "gasPrice", "0x1"));
    tracker.track();
    tracker.track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state()).isEqualTo(TxState.MINED);
    assertThat(node.rawSent()).as("nothing sent again").hasSize(1);
  }

  @Test
  void aMinedTransactionWhoseBlockAReorgTookBeforeTheListenerReadItIsFollowedAgainAndResent()
      throws Exception {
    TxStore.Tx tx = settle(1);
    latestNonce.set(1);
    receipts.put(tx.hash(), receipt(tx.hash(), 100, true));
    listened.set(99);
    TransactionTracker tracker = tracker(0, Clock.systemUTC());
    tracker.track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state()).isEqualTo(TxState.MINED);

    // the reorg drops block 100 and the node forgets the transaction
    receipts.clear();
    latestNonce.set(0);
    node.answer("eth_getTransactionByHash", (Object) null);
    tracker.track();
    assertThat(schema.txs.load(tx.id()).orElseThrow().state()).isEqualTo(TxState.PENDING);
    tracker.track();
    assertThat(node.rawSent())
        .as("the same signed bytes sent again")
        .hasSize(2)
        .allMatch(r -> r.equals(Numeric.toHexString(tx.raw())));
    assertThat(schema.stateOf(1)).isEqualTo("SUBMITTED");
  }
}
