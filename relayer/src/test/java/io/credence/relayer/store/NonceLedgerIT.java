package io.credence.relayer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.relayer.model.TxKind;
import io.credence.testkit.PostgresDatabase;
import io.credence.testkit.junit.WithPostgres;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@WithPostgres
class NonceLedgerIT {
  private static final String WALLET = "0x" + "aa".repeat(20);
  private static RelayerSchema schema;

  @BeforeEach
  void fresh(PostgresDatabase pg) {
    if (schema == null) {
      schema = new RelayerSchema(pg);
    }
    schema.clear();
  }

  private long send() {
    return schema.txs.record(
        TxKind.RECEIPTS,
        WALLET,
        WALLET,
        new byte[0],
        BigInteger.valueOf(21_000),
        BigInteger.TWO,
        BigInteger.ONE,
        List.of(),
        nonce ->
            new TxStore.Signed(
                "0x" + Long.toHexString(nonce) + "-" + System.nanoTime(),
                new byte[] {(byte) nonce}),
        TxStore.Carries.NOTHING);
  }

  private long nonceOf(long txId) {
    return schema.txs.load(txId).orElseThrow().nonce();
  }

  @Test
  void syncTakesTheChainsNonceButNeverGoesBack() {
    schema.nonces.sync(WALLET, 5);
    assertThat(schema.nonces.next(WALLET)).contains(5L);
    schema.nonces.sync(WALLET, 3);
    assertThat(schema.nonces.next(WALLET))
        .as("a chain behind the database (a node that lost its pool)")
        .contains(5L);
    schema.nonces.sync(WALLET, 9);
    assertThat(schema.nonces.next(WALLET)).as("the key was used elsewhere").contains(9L);
  }

  @Test
  void eachSendTakesTheNextNonce() {
    schema.nonces.sync(WALLET, 7);
    assertThat(nonceOf(send())).isEqualTo(7);
    assertThat(nonceOf(send())).isEqualTo(8);
    assertThat(schema.nonces.next(WALLET)).contains(9L);
  }

  @Test
  void aWalletNeverSyncedCannotSendAndSaysWhy() {
    assertThatThrownBy(this::send).hasMessageContaining(WALLET).hasMessageContaining("sync first");
  }

  @Test
  void theNonceOfTheLastTransactionDroppedIsHandedBackAndOneBelowALiveTransactionIsNot() {
    schema.nonces.sync(WALLET, 0);
    long first = send();
    long second = send();
    schema.txs.drop(second, "test");
    schema.nonces.afterDrop(WALLET, 0);
    assertThat(schema.nonces.next(WALLET)).as("the last one taken comes back").contains(1L);

    long again = send();
    assertThat(nonceOf(again)).isEqualTo(1);
    schema.txs.drop(first, "test");
    schema.nonces.afterDrop(WALLET, 0);
    assertThat(schema.nonces.next(WALLET)).as("nonce 0 stays a gap: nonce 1 is live").contains(2L);
  }

  @Test
  void afterADropTheNextNonceIsNeverBelowTheChains() {
    schema.nonces.sync(WALLET, 0);
    schema.txs.drop(send(), "test");
    schema.nonces.afterDrop(WALLET, 4);
    assertThat(schema.nonces.next(WALLET)).contains(4L);
  }

  @Test
  void concurrentSendsNeverShareANonce() throws Exception {
    schema.nonces.sync(WALLET, 0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Long>> sends = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        sends.add(pool.submit((Callable<Long>) this::send));
      }
      Set<Long> nonces = new HashSet<>();
      for (Future<Long> f : sends) {
        nonces.add(nonceOf(f.get()));
      }
      assertThat(nonces).hasSize(40).allMatch(n -> n >= 0 && n < 40);
    } finally {
      pool.shutdownNow();
    }
  }
}
