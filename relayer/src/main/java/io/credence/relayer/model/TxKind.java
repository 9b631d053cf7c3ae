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
  GAP,
  /** {@code DisputeCourt.drawAudits}: draws a settlement batch's audits. */
  DRAW_AUDITS,
  /** {@code DisputeCourt.drawJury}: draws a challenge's jury once its seed block is mined. */
  DRAW_JURY,
  /** {@code DisputeCourt.submitVerdicts}: records a batch of jurors' signed verdicts. */
  VERDICTS,
  /** {@code DisputeCourt.resolve}: resolves a dispute whose verdict window closed. */
  RESOLVE,
  /** {@code InferenceHub.claim}: takes the gas the hub paid the wallet back. */
  CLAIM,
  /** {@code InferenceHub.requestInferenceFor}: submits a request signed off-chain. */
  SIGNED_REQUEST;

  /** The state a request takes when this transaction carries it. */
  public RequestState carries() {
    return this == EXPIRE ? RequestState.EXPIRING : RequestState.SUBMITTED;
  }

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
