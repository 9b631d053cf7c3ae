package io.credence.relayer.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where one of the wallet's transactions is (column {@code tx.state}): PENDING → MINED → FINAL, or
 * REVERTED, or DROPPED (its nonce went to another transaction, or its requests changed).
 */
public enum TxState {
  /** Signed and stored, sent (or about to be), not yet in a block. */
  PENDING,
  /** In a block, fewer than {@code confirmations} blocks deep. */
  MINED,
  /** Mined and confirmed. */
  FINAL,
  /** Mined and reverted: its requests went back to be checked again. */
  REVERTED,
  /** Never to be mined: its requests went back to the queue. */
  DROPPED;

  /** Still followed by the tracker. */
  public static final Set<TxState> OPEN = EnumSet.of(PENDING, MINED);

  /** Holding their nonce: no other transaction may take it. */
  public static final Set<TxState> LIVE = EnumSet.of(PENDING, MINED, FINAL);

  public static String[] names(Set<TxState> states) {
    return states.stream().map(Enum::name).toArray(String[]::new);
  }
}
