package io.credence.protocol.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.contracts.ModelRegistry;
import io.credence.devnet.ContractDeployer;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.Hashes;
import io.credence.testkit.junit.WithAnvil;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Following contract logs on a real anvil: ranges grow, and after an {@code anvil_reorg} the
 * followed state is exactly a fresh follow of the same chain.
 */
@WithAnvil
class LogFollowerIT {

  /** A service's view: logs by position, checkpoints by block number. */
  static final class View implements LogFollower.Checkpoints {
    final TreeMap<Long, LogFollower.Block> checkpoints = new TreeMap<>();
    final TreeSet<String> logs = new TreeSet<>();
    int rewinds;

    @Override
    public Optional<LogFollower.Block> last() {
      return Optional.ofNullable(checkpoints.lastEntry()).map(Map.Entry::getValue);
    }

    @Override
    public Optional<LogFollower.Block> before(long number) {
      return Optional.ofNullable(checkpoints.lowerEntry(number)).map(Map.Entry::getValue);
    }

    /** Follows until idle. */
    void followToHead(LogFollower follower) throws Exception {
      for (int i = 0; i < 1_000; i++) {
        LogFollower.Step step = follower.next(this);
        switch (step) {
          case LogFollower.Advance a -> {
            for (Log l : a.logs()) {
              logs.add(key(l));
            }
            checkpoints.put(a.to().number(), a.to());
          }
          case LogFollower.Rewind r -> {
            rewinds++;
            long keep = r.ancestor().number();
            logs.removeIf(k -> Long.parseLong(k.substring(0, 12)) > keep);
            checkpoints.tailMap(keep, false).clear();
          }
          case LogFollower.Idle idle -> {
            return;
          }
        }
      }
      throw new AssertionError("never caught up");
    }

    private static String key(Log l) {
      return String.format(
          "%012d/%s/%d",
          l.getBlockNumber().longValueExact(),
          l.getTransactionHash(),
          l.getLogIndex().longValueExact());
    }
  }

  @Test
  void followsAndHandlesAReorgLikeAFreshFollow(AnvilNode anvil) throws Exception {
    ContractDeployer.Deployment d = ContractDeployer.deploy(anvil);
    ModelRegistry registry =
        ModelRegistry.load(
            d.modelRegistry().getContractAddress(),
            anvil.web3j(),
            anvil.transactionManager(AnvilNode.devAccount(2)),
            ContractDeployer.gas(anvil.chainId()));
    for (int i = 0; i < 12; i++) {
      registry.registerDataset(Hashes.keccak256(("a" + i).getBytes()), "file:a" + i).send();
    }
    List<String> address = List.of(registry.getContractAddress());
    LogFollower follower = new LogFollower(anvil.web3j(), address, 0, d.startBlock(), 2, 64);
    View view = new View();
    view.followToHead(follower);
    assertThat(view.logs)
        .as("12 registrations, plus the deployment's OwnershipTransferred and HubSet")
        .hasSize(14);
    assertThat(follower.range()).as("the range grew").isGreaterThan(2);

    anvil.reorg(4); // the last four blocks, with their registrations, are replaced by empty ones
    for (int i = 0; i < 3; i++) {
      registry.registerDataset(Hashes.keccak256(("b" + i).getBytes()), "file:b" + i).send();
    }
    view.followToHead(follower);
    assertThat(view.rewinds).as("the reorg was seen").isPositive();

    View fresh = new View();
    fresh.followToHead(new LogFollower(anvil.web3j(), address, 0, d.startBlock(), 2, 64));
    assertThat(view.logs).isEqualTo(fresh.logs);
    assertThat(fresh.logs).as("four registrations reorged away, three new").hasSize(14 - 4 + 3);
  }

  @Test
  void staysConfirmationsBehindTheHead(AnvilNode anvil) throws Exception {
    anvil.mine(30);
    long head = anvil.blockNumber();
    LogFollower follower =
        new LogFollower(
            anvil.web3j(),
            List.of("0x0000000000000000000000000000000000000001"),
            5,
            head - 20,
            100,
            100);
    View view = new View();
    view.followToHead(follower);
    assertThat(view.last().orElseThrow().number()).isEqualTo(anvil.blockNumber() - 5);
  }
}
