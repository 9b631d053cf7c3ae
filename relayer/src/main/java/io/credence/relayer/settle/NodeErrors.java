package io.credence.relayer.settle;

import java.util.Locale;
import org.web3j.protocol.core.Response;

/**
 * What a node's refusal of {@code eth_sendRawTransaction} means for the wallet. Nodes say it in
 * words, not codes (geth, anvil, reth, erigon and the hosted providers agree on these phrases, not
 * on error codes), so the message is matched.
 */
public final class NodeErrors {
  /** Why a node refused a transaction; NONE when it took it (or already had it). */
  public enum Refusal {
    /** Taken, or already in the pool: nothing to do. */
    NONE,
    /** The nonce was used: by this transaction (its receipt shows up) or by another (drop it). */
    NONCE_TOO_LOW,
    /** A replacement's fees are not high enough over the one in the pool: bump again. */
    UNDERPRICED,
    /** The wallet cannot pay: wait for funds. */
    INSUFFICIENT_FUNDS,
    /** Anything else: logged, tried again later. */
    OTHER
  }

  private NodeErrors() {}

  /** Classifies the error of a send; {@code null} (no error) is {@link Refusal#NONE}. */
  public static Refusal classify(Response.Error error) {
    if (error == null) {
      return Refusal.NONE;
    }
    String m = error.getMessage() == null ? "" : error.getMessage().toLowerCase(Locale.ROOT);
    if (m.contains("already known")
        || m.contains("known transaction")
        || m.contains("already imported")) {
      return Refusal.NONE;
    }
    if (m.contains("nonce too low") || m.contains("nonce is too low")) {
      return Refusal.NONCE_TOO_LOW;
    }
    if (m.contains("underpriced")) {
      return Refusal.UNDERPRICED;
    }
    if (m.contains("insufficient funds")) {
      return Refusal.INSUFFICIENT_FUNDS;
    }
    return Refusal.OTHER;
  }
}
