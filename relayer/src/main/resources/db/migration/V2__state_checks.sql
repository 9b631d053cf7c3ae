-- The states and kinds the relayer writes are Java enums (io.credence.relayer.model.RequestState,
-- TxState, TxKind) stored by name; these checks keep the columns to those names, so a typo or a
-- renamed constant fails at the write instead of leaving a row no query finds.
ALTER TABLE request ADD CONSTRAINT request_state_known
  CHECK (state IN ('SEEN', 'DISPATCHED', 'RESULT', 'SUBMITTED', 'SETTLED', 'REFUNDED', 'EXPIRING', 'EXPIRED', 'REJECTED'));
ALTER TABLE tx ADD CONSTRAINT tx_state_known
  CHECK (state IN ('PENDING', 'MINED', 'FINAL', 'REVERTED', 'DROPPED'));
ALTER TABLE tx ADD CONSTRAINT tx_kind_known
  CHECK (kind IN ('RECEIPTS', 'FAILURES', 'EXPIRE', 'GAP'));
