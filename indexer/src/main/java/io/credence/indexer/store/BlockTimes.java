package io.credence.indexer.store;

import io.credence.protocol.chain.ChainTime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.math.BigInteger;
import java.util.OptionalLong;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;

/**
 * Block times the index does not keep (logs carry none): a settlement's time, from which its
 * challenge window runs, and the chain's clock, asked of the node when a receipt is shown. Empty
 * when the node does not answer: the receipt then says less, never fails.
 */
@ApplicationScoped
public class BlockTimes {
  private final Web3j web3j;

  @Inject
  public BlockTimes(Web3j web3j) {
    this.web3j = web3j;
  }

  /** The timestamp (unix seconds) of block {@code number}. */
  public OptionalLong of(long number) {
    try {
      EthBlock.Block b =
          web3j
              .ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false)
              .send()
              .getBlock();
      return b == null ? OptionalLong.empty() : OptionalLong.of(b.getTimestamp().longValueExact());
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** The chain's clock: the timestamp the next block will have. */
  public OptionalLong now() {
    try {
      return OptionalLong.of(new ChainTime(web3j).nextBlockTimestamp());
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
