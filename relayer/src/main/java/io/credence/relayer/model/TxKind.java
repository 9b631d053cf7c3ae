package io.credence.relayer.model;

import java.util.Locale;

/**
 * What a wallet transaction does (column {@code tx.kind}; the metrics' {@code kind} tag in lower
 * case).
 */
public enum TxKind {
  /** {@code submitReceipts}: settles a batch of OK receipts. */
  RECEIPTS,
  /** {@code submitFailures}: refunds a batch of signed failures. */
  FAILURES,
  /** {@code expire}: refunds one request past its deadline. */
  EXPIRE,
  /** An empty transfer to itself that fills a nonce no live transaction holds. */
  GAP;

  /** The state a request takes when this transaction carries it. */
  public RequestState carries() {
    return this == EXPIRE ? RequestState.EXPIRING : RequestState.SUBMITTED;
  }

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
