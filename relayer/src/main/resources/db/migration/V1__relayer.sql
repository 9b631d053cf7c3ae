-- The relayer's own state (schema relayer; no other service reads it). See docs/relayer.md.

-- Blocks the chain listener has processed, by number and hash: its durable cursor. The newest is
-- where it resumes; older ones find the common ancestor after a reorg.
CREATE TABLE checkpoint (
  block_number BIGINT PRIMARY KEY,
  block_hash   TEXT   NOT NULL
);

-- One row per InferenceRequested, with everything needed to dispatch and settle it.
-- state: SEEN -> DISPATCHED -> RESULT -> SUBMITTED -> SETTLED | REFUNDED;
--        any open state -> EXPIRING -> EXPIRED once the deadline passed;
--        RESULT -> REJECTED when the hub keeps refusing it (then it expires).
CREATE TABLE request (
  request_id    BIGINT      PRIMARY KEY,
  model_id      BIGINT      NOT NULL,
  requester     TEXT        NOT NULL,
  input_hash    BYTEA       NOT NULL,
  fee           NUMERIC(78) NOT NULL,
  deadline      BIGINT      NOT NULL,
  callback      TEXT        NOT NULL,
  callback_gas  BIGINT      NOT NULL,
  input         BYTEA       NOT NULL,
  model_hash    BYTEA       NOT NULL,
  model_uri     TEXT        NOT NULL,
  quorum        INT         NOT NULL,
  block_number  BIGINT      NOT NULL,
  block_hash    TEXT        NOT NULL,
  request_tx    TEXT        NOT NULL,
  -- set when the block that carried the request was reorged away and it was not seen again
  orphaned      BOOLEAN     NOT NULL DEFAULT false,
  state         TEXT        NOT NULL,
  attempts      INT         NOT NULL DEFAULT 0,
  submissions   INT         NOT NULL DEFAULT 0,
  redispatch_at TIMESTAMPTZ,
  -- the quorum's outcome: OK with output, or FAILED with reason and detail
  outcome       TEXT,
  output        BYTEA,
  output_hash   BYTEA,
  reason        INT,
  detail_hash   BYTEA,
  result_at     TIMESTAMPTZ,
  tx_id         BIGINT,
  final_block   BIGINT,
  final_tx      TEXT,
  error         TEXT,
  seen_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX request_open ON request (state, request_id)
  WHERE state NOT IN ('SETTLED', 'REFUNDED', 'EXPIRED');

-- Every dispatch of a request to the jobs topic.
CREATE TABLE attempt (
  request_id    BIGINT      NOT NULL,
  attempt       INT         NOT NULL,
  partitions    TEXT        NOT NULL,
  dispatched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, attempt)
);

-- Verified worker results; one per worker and request (the first counts).
CREATE TABLE result (
  request_id  BIGINT      NOT NULL,
  worker      TEXT        NOT NULL,
  status      TEXT        NOT NULL,
  output      BYTEA,
  output_hash BYTEA,
  executed_at BIGINT,
  reason      INT,
  detail_hash BYTEA,
  signature   BYTEA       NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, worker)
);

-- Results that failed verification: never submitted, kept for operators.
CREATE TABLE rejected_result (
  id          BIGSERIAL   PRIMARY KEY,
  request_id  BIGINT      NOT NULL,
  worker      TEXT,
  why         TEXT        NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX rejected_result_request ON rejected_result (request_id);

-- The signing wallet's next nonce, persisted so that a restart never reuses or skips one.
CREATE TABLE wallet (
  address    TEXT   PRIMARY KEY,
  next_nonce BIGINT NOT NULL
);

-- Every transaction the relayer signed. The signed bytes are stored before they are sent, so a
-- crash between the two resends the same transaction instead of building another.
-- state: PENDING -> MINED -> FINAL, or REVERTED, or DROPPED (its nonce went to another transaction)
CREATE TABLE tx (
  id            BIGSERIAL   PRIMARY KEY,
  kind          TEXT        NOT NULL,
  wallet        TEXT        NOT NULL,
  nonce         BIGINT      NOT NULL,
  to_address    TEXT        NOT NULL,
  data          BYTEA       NOT NULL,
  gas_limit     BIGINT      NOT NULL,
  max_fee       NUMERIC(78) NOT NULL,
  priority_fee  NUMERIC(78) NOT NULL,
  hash          TEXT        NOT NULL,
  raw           BYTEA       NOT NULL,
  hashes        TEXT[]      NOT NULL,
  state         TEXT        NOT NULL,
  receipts      INT         NOT NULL,
  replacements  INT         NOT NULL DEFAULT 0,
  mined_hash    TEXT,
  mined_block   BIGINT,
  gas_used      BIGINT,
  error         TEXT,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  sent_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX tx_open ON tx (state) WHERE state IN ('PENDING', 'MINED');
CREATE UNIQUE INDEX tx_live_nonce ON tx (wallet, nonce) WHERE state IN ('PENDING', 'MINED', 'FINAL');

CREATE TABLE tx_request (
  tx_id      BIGINT NOT NULL,
  request_id BIGINT NOT NULL,
  PRIMARY KEY (tx_id, request_id)
);
CREATE INDEX tx_request_request ON tx_request (request_id);
