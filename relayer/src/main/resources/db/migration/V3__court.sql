-- The relayer's side of the DisputeCourt (docs/relayer.md, "Audits and disputes"). Everything here
-- is derived from chain events the listener reads, in the same transaction as its cursor, except
-- the verdicts jurors send over Kafka and the times the relayer last sent a court transaction.

-- Answers settled on the hub, as their InferenceSettled events carry them; batch_id and position
-- once the batch's BatchSettled event is read (the leaves of its record, in order).
CREATE TABLE settled (
  request_id   BIGINT  PRIMARY KEY,
  output       BYTEA   NOT NULL,
  proofs       BYTEA   NOT NULL,
  block_number BIGINT  NOT NULL,
  tx_hash      TEXT    NOT NULL,
  batch_id     BIGINT,
  position     INT
);
CREATE INDEX settled_batch ON settled (batch_id, position);

-- Settlement batches whose audits are to be drawn: PENDING -> DRAWN, or MISSED when the seed
-- block fell out of the 256 the chain keeps before anyone drew them.
CREATE TABLE batch (
  batch_id      BIGINT      PRIMARY KEY,
  count         INT         NOT NULL,
  settled_block BIGINT      NOT NULL,
  settled_at    BIGINT      NOT NULL,
  tx_hash       TEXT        NOT NULL,
  state         TEXT        NOT NULL CHECK (state IN ('PENDING', 'DRAWN', 'MISSED')),
  drawn_block   BIGINT,
  sent_at       TIMESTAMPTZ
);
CREATE INDEX batch_pending ON batch (settled_block) WHERE state = 'PENDING';

-- Disputes opened in the court (audits and challenges, by anyone), as their events say.
CREATE TABLE dispute (
  dispute_id       BIGINT      PRIMARY KEY,
  request_id       BIGINT      NOT NULL,
  kind             SMALLINT    NOT NULL,
  state            TEXT        NOT NULL
    CHECK (state IN ('AWAITING_JURY', 'VOTING', 'FAULT_PROVEN', 'UPHELD', 'NO_MAJORITY')),
  output_hash      BYTEA       NOT NULL,
  seed_block       BIGINT      NOT NULL,
  jurors           TEXT[],
  verdict_deadline BIGINT,
  opened_block     BIGINT      NOT NULL,
  drawn_block      BIGINT,
  resolved_block   BIGINT,
  dispatched       BOOLEAN     NOT NULL DEFAULT false,
  sent_at          TIMESTAMPTZ
);
CREATE INDEX dispute_open ON dispute (state) WHERE state IN ('AWAITING_JURY', 'VOTING');

-- Verdicts jurors signed and sent; recorded_block once the court recorded them.
CREATE TABLE verdict (
  dispute_id        BIGINT      NOT NULL,
  juror             TEXT        NOT NULL,
  juror_output_hash BYTEA       NOT NULL,
  agrees            BOOLEAN     NOT NULL,
  signature         BYTEA       NOT NULL,
  received_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  sent_at           TIMESTAMPTZ,
  recorded_block    BIGINT,
  PRIMARY KEY (dispute_id, juror)
);

ALTER TABLE tx DROP CONSTRAINT tx_kind_known;
ALTER TABLE tx ADD CONSTRAINT tx_kind_known
  CHECK (kind IN ('RECEIPTS', 'FAILURES', 'EXPIRE', 'GAP', 'DRAW_AUDITS', 'DRAW_JURY', 'VERDICTS', 'RESOLVE'));
