package io.credence.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/** Follows the hub's logs and notes when each request was first seen requested and settled. */
final class Watcher implements Runnable {
  private final Web3j web3j;
  private final String hub;
  private long next;
  final Map<Long, Long> requestedAt = new ConcurrentHashMap<>();
  final Map<Long, Long> requestedWallMs = new ConcurrentHashMap<>();
  final Map<Long, Long> settledWallMs = new ConcurrentHashMap<>();
  final Map<Long, Long> settledAt = new ConcurrentHashMap<>();
  final Map<Long, String> settledIn = new ConcurrentHashMap<>();
  final AtomicBoolean stop = new AtomicBoolean();
  volatile Exception failure;

  Watcher(Web3j web3j, String hub, long from) {
    this.web3j = web3j;
    this.hub = hub;
    this.next = from;
  }

  @Override
  public void run() {
    try {
      while (!stop.get()) {
        long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
        if (head < next) {
          Thread.sleep(E2eBench.POLL_MS);
          continue;
        }
        EthFilter filter =
            new EthFilter(
                DefaultBlockParameter.valueOf(BigInteger.valueOf(next)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(head)),
                hub);
        filter.addOptionalTopics(E2eBench.REQUESTED, E2eBench.SETTLED);
        var logs = web3j.ethGetLogs(filter).send();
        if (logs.hasError()) {
          throw new IOException(logs.getError().getMessage());
        }
        long now = System.nanoTime();
        long wall = System.currentTimeMillis();
        for (var r : logs.getLogs()) {
          Log log = (Log) r.get();
          long requestId = Numeric.toBigInt(log.getTopics().get(1)).longValueExact();
          if (E2eBench.REQUESTED.equals(log.getTopics().get(0))) {
            requestedAt.putIfAbsent(requestId, now);
            requestedWallMs.putIfAbsent(requestId, wall);
          } else {
            settledAt.putIfAbsent(requestId, now);
            settledWallMs.putIfAbsent(requestId, wall);
            settledIn.putIfAbsent(requestId, log.getTransactionHash());
          }
        }
        next = head + 1;
        Thread.sleep(E2eBench.POLL_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      failure = e;
      System.err.println("# watcher failed: " + e);
    }
  }

  void awaitSettled(Set<Long> ids, int timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (!settledAt.keySet().containsAll(ids)) {
      if (failure != null) {
        throw new IllegalStateException("the watcher failed", failure);
      }
      if (System.nanoTime() > deadline) {
        Set<Long> missing = new HashSet<>(ids);
        missing.removeAll(settledAt.keySet());
        throw new IllegalStateException(
            missing.size()
                + " of "
                + ids.size()
                + " requests not settled within "
                + timeoutSeconds
                + " s");
      }
      Thread.sleep(20);
    }
  }
}
