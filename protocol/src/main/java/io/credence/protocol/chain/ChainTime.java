package io.credence.protocol.chain;

import java.io.IOException;
import java.time.Clock;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthBlock;

/**
 * The chain's clock as a contract will see it: the timestamp of the next block. A deadline computed
 * from the latest block is wrong on an idle chain: anvil mines only when a transaction arrives, so
 * after an hour without one the latest block is an hour old and "latest + 600 s" is already in the
 * past when the request is mined (the hub reverts with {@code DeadlineInPast}).
 *
 * <p>The next block's timestamp is the pending block's where the node builds one (anvil does, with
 * its {@code evm_increaseTime} and {@code evm_setNextBlockTimestamp} offsets applied); where it
 * does not (geth and Besu answer "pending" with the latest block, or not at all), it is the later
 * of the latest block's timestamp + 1 and the wall clock, which is what a producing node stamps.
 */
public final class ChainTime {
  private final Web3j web3j;
  private final Clock clock;

  public ChainTime(Web3j web3j) {
    this(web3j, Clock.systemUTC());
  }

  public ChainTime(Web3j web3j, Clock clock) {
    this.web3j = web3j;
    this.clock = clock;
  }

  /** The timestamp (unix seconds) the next block will have. */
  public long nextBlockTimestamp() throws IOException {
    EthBlock latestResponse =
        web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send();
    if (latestResponse.hasError() || latestResponse.getBlock() == null) {
      throw new IOException(
          "eth_getBlockByNumber(latest): "
              + (latestResponse.hasError()
                  ? latestResponse.getError().getMessage()
                  : "the node returned no block"));
    }
    EthBlock.Block latest = latestResponse.getBlock();
    long after = latest.getTimestamp().longValueExact() + 1;
    EthBlock.Block pending = pending();
    if (pending != null
        && pending.getNumberRaw() != null
        && pending.getNumber().compareTo(latest.getNumber()) > 0) {
      return Math.max(pending.getTimestamp().longValueExact(), after);
    }
    return Math.max(after, clock.instant().getEpochSecond());
  }

  /** A deadline {@code seconds} after the next block: what a request sent now should carry. */
  public long deadlineIn(long seconds) throws IOException {
    return nextBlockTimestamp() + seconds;
  }

  /** The node's pending block, or null where it has none or refuses the tag. */
  private EthBlock.Block pending() {
    try {
      EthBlock response =
          web3j.ethGetBlockByNumber(DefaultBlockParameterName.PENDING, false).send();
      return response.hasError() ? null : response.getBlock();
    } catch (IOException | RuntimeException e) {
      return null; // a node without a pending block: the fallback below is what it would stamp
    }
  }
}
