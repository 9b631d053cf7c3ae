package io.credence.protocol.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Follows the logs of some contracts, {@code confirmations} blocks behind the head, in ranges that
 * grow while {@code eth_getLogs} succeeds and shrink when the provider refuses (too many results,
 * timeouts). A range also shrinks toward {@link #targetLogs(int) a number of logs} (10 000 by
 * default), so that a dense stretch of history is applied, and committed, in steps of bounded size
 * rather than in one huge one. Each step either advances (logs of a range, and the range's last
 * block as the new checkpoint), rewinds (a reorg replaced processed blocks: drop everything after
 * the returned ancestor and follow again from there), or idles (nothing new).
 *
 * <p>A reorg is detected by block hash: before advancing, the last checkpoint must still be on the
 * canonical chain; if it is not, older checkpoints are tried until one is, and the follower rewinds
 * to it. A range is taken only when the hash of its last block is the same before and after {@code
 * eth_getLogs}, so its logs come from one chain. The service stores the checkpoints (its cursor) in
 * its own database, in the same transaction as what it derives from the logs; restarting it resumes
 * from there.
 *
 * <p>With {@link #prefetching()}, while the service applies a range the follower already reads the
 * next one, on another thread, so a backfill waits for the node only once. A prefetched range is
 * used only if the service's checkpoint is then exactly the range it was read after and that block
 * is still canonical; otherwise it is dropped and read again.
 */
public final class LogFollower {
  /** A block by number and hash. */
  public record Block(long number, String hash) {}

  /** One step of following. */
  public sealed interface Step permits Advance, Rewind, Idle {}

  /**
   * Logs of blocks {@code from..to.number()}, in chain order; store {@code to} as the new
   * checkpoint with whatever the logs change.
   */
  public record Advance(long from, Block to, List<Log> logs) implements Step {}

  /** A reorg: undo everything after {@code ancestor} and make it the cursor. */
  public record Rewind(Block ancestor, Block replaced) implements Step {}

  /** Nothing to do until the chain grows. */
  public record Idle(long head) implements Step {}

  /** Where the service keeps its checkpoints. */
  public interface Checkpoints {
    /** The last checkpoint, if any. */
    Optional<Block> last();

    /** The newest checkpoint strictly before block {@code number}, if any is kept. */
    Optional<Block> before(long number);
  }

  private final Web3j web3j;
  private final List<String> addresses;
  private final int confirmations;
  private final long startBlock;
  private final int maxRange;
  private int range;
  private int targetLogs = DEFAULT_TARGET_LOGS;
  private boolean prefetch;

  /** The next range, being read after {@code base}: taken by the next step if it still fits. */
  private Prefetched prefetched;

  private long lastHead = -1;

  /** Logs per range the follower aims at unless told otherwise. */
  public static final int DEFAULT_TARGET_LOGS = 10_000;

  private record Prefetched(Block base, int range, Future<Advance> advance) {}

  private static final ExecutorService PREFETCHER =
      Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "log-prefetch");
        t.setDaemon(true);
        return t;
      });

  /**
   * @param addresses contracts whose logs are followed
   * @param confirmations how far behind the head to stay
   * @param startBlock first block to read when there is no checkpoint (the deployment block)
   * @param initialRange blocks per {@code eth_getLogs} to begin with
   * @param maxRange upper bound of the range
   */
  public LogFollower(
      Web3j web3j,
      List<String> addresses,
      int confirmations,
      long startBlock,
      int initialRange,
      int maxRange) {
    this.web3j = web3j;
    this.addresses = List.copyOf(addresses);
    this.confirmations = confirmations;
    this.startBlock = startBlock;
    this.range = Math.max(1, initialRange);
    this.maxRange = Math.max(this.range, maxRange);
  }

  /** Reads the next range while the current one is applied (for backfills); returns this. */
  public LogFollower prefetching() {
    this.prefetch = true;
    return this;
  }

  /**
   * Aims at about {@code logs} logs per range: after a range, the next one is sized from the
   * density just seen (never more than twice as large); returns this.
   */
  public LogFollower targetLogs(int logs) {
    this.targetLogs = Math.max(1, logs);
    return this;
  }

  /** The range the next {@code eth_getLogs} will ask for. */
  public int range() {
    return range;
  }

  /**
   * Takes one step.
   *
   * @throws IOException when the node cannot be reached (try again later)
   */
  public Step next(Checkpoints checkpoints) throws IOException {
    Optional<Block> last = checkpoints.last();
    Advance ready = takePrefetched(last);
    Step step = ready != null ? ready : read(checkpoints, last);
    if (prefetch && step instanceof Advance a && a.to().number() < lastHead) {
      Block base = a.to();
      int size = range;
      long head = lastHead;
      prefetched =
          new Prefetched(
              base, size, PREFETCHER.submit(() -> readRange(base, base.number() + 1, head, size)));
    }
    return step;
  }

  /** The prefetched range if it was read right after {@code last}, which is still canonical. */
  private Advance takePrefetched(Optional<Block> last) throws IOException {
    Prefetched p = prefetched;
    prefetched = null;
    if (p == null) {
      return null;
    }
    Advance a;
    try {
      a = p.advance().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading logs ahead", e);
    } catch (ExecutionException e) {
      return null; // read again, in this thread, where a failure shrinks the range
    }
    if (a == null || last.isEmpty() || !last.get().equals(p.base())) {
      return null;
    }
    Block canonical = block(p.base().number());
    if (canonical == null || !canonical.hash().equalsIgnoreCase(p.base().hash())) {
      return null; // a reorg: the step that reads again rewinds
    }
    range = next(p.range(), a.logs().size());
    return a;
  }

  private Step read(Checkpoints checkpoints, Optional<Block> last) throws IOException {
    if (last.isPresent()) {
      Block canonical = block(last.get().number());
      if (canonical == null || !canonical.hash().equalsIgnoreCase(last.get().hash())) {
        return new Rewind(ancestor(checkpoints, last.get()), last.get());
      }
    }
    var number = web3j.ethBlockNumber().send();
    if (number.hasError()) {
      throw new IOException("eth_blockNumber failed: " + number.getError().getMessage());
    }
    long head = quantity(number.getResult()) - confirmations;
    lastHead = head;
    long from = last.map(b -> b.number() + 1).orElse(startBlock);
    if (from > head) {
      return new Idle(head);
    }
    Advance a;
    try {
      a = readRange(last.orElse(null), from, head, range);
    } catch (IOException e) {
      shrink();
      throw e;
    }
    if (a == null) {
      return new Idle(
          head); // the chain moved under the query: ask again (a reorg: the next step rewinds)
    }
    range = next(range, a.logs().size());
    return a;
  }

  /**
   * The logs of {@code from..min(head, from + size - 1)}, read after {@code base} (null at the
   * start); null when the chain moved under the query.
   */
  private Advance readRange(Block base, long from, long head, int size) throws IOException {
    long to = Math.min(head, from + size - 1);
    Block before = block(to);
    EthLog result =
        web3j
            .ethGetLogs(
                new EthFilter(
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(to)),
                    addresses))
            .send();
    if (result.hasError()) {
      throw new IOException(
          "eth_getLogs "
              + from
              + ".."
              + to
              + " failed: "
              + result.getError().getMessage()
              + " (next range "
              + Math.max(1, size / 2)
              + ")");
    }
    Block after = block(to);
    if (before == null || after == null || !before.hash().equalsIgnoreCase(after.hash())) {
      return null;
    }
    if (base != null) {
      // a reorg between the check of the last checkpoint and the query would put these blocks on
      // top
      // of blocks that are no longer canonical: the checkpoint must still be canonical now
      Block still = block(base.number());
      if (still == null || !still.hash().equalsIgnoreCase(base.hash())) {
        return null;
      }
    }
    List<Log> logs = result.getLogs().stream().map(r -> (Log) r.get()).toList();
    return new Advance(from, after, logs);
  }

  /**
   * A JSON-RPC quantity ("0x1a2") as a long. web3j's own parsing first tries the string as a
   * decimal and catches the exception, once per call: too slow for every log of a backfill.
   */
  public static long quantity(String hex) {
    if (hex == null || !hex.startsWith("0x") || hex.length() < 3) {
      throw new IllegalArgumentException("not a JSON-RPC quantity: " + hex);
    }
    return Long.parseLong(hex, 2, hex.length(), 16);
  }

  /** The range after one of {@code size} blocks that held {@code logs} logs. */
  private int next(int size, int logs) {
    long grown = (long) size * 2;
    if (logs > 0) {
      grown = Math.min(grown, (long) size * targetLogs / logs);
    }
    return (int) Math.max(1, Math.min(maxRange, grown));
  }

  private void shrink() {
    range = Math.max(1, range / 2);
  }

  /** The newest checkpoint before {@code replaced} that is still canonical (or the start). */
  private Block ancestor(Checkpoints checkpoints, Block replaced) throws IOException {
    long below = replaced.number();
    while (true) {
      Optional<Block> candidate = checkpoints.before(below);
      if (candidate.isEmpty()) {
        return new Block(startBlock - 1, "");
      }
      Block canonical = block(candidate.get().number());
      if (canonical != null && canonical.hash().equalsIgnoreCase(candidate.get().hash())) {
        return candidate.get();
      }
      below = candidate.get().number();
    }
  }

  private Block block(long number) throws IOException {
    EthBlock.Block b =
        web3j
            .ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false)
            .send()
            .getBlock();
    return b == null ? null : new Block(quantity(b.getNumberRaw()), b.getHash());
  }
}
