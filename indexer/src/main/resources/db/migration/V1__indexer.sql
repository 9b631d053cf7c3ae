-- The indexer's own state (schema indexer; no other service reads it). See docs/explorer.md.
--
-- Every row comes from one log and carries its block_number (and log_index): nothing is updated
-- in place. A reorg deletes the rows above the common ancestor and the next blocks are applied
-- again, so the state after any reorg is the state of a fresh index of the same chain. Current
-- values (a model's fee, an account's balance) are read from the latest or the sum of their rows.

-- Blocks processed, by number and hash: the cursor, and how reorgs are found.
CREATE TABLE checkpoint (
  block_number BIGINT PRIMARY KEY,
  block_hash   TEXT   NOT NULL
);

-- Settings of the hub in force from a log on: the split (SplitChanged), the treasury (TreasuryChanged).
CREATE TABLE split_change (
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  protocol_bps INT    NOT NULL,
  worker_bps   INT    NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE TABLE treasury_change (
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  previous     TEXT   NOT NULL,
  treasury     TEXT   NOT NULL,
  PRIMARY KEY (block_number, log_index)
);

CREATE TABLE dataset (
  sha256       BYTEA  PRIMARY KEY,
  provider     TEXT   NOT NULL,
  uri          TEXT   NOT NULL,
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  tx_hash      TEXT   NOT NULL
);
CREATE INDEX dataset_provider ON dataset (provider);

CREATE TABLE model (
  model_id          BIGINT      PRIMARY KEY,
  owner             TEXT        NOT NULL,
  sha256            BYTEA       NOT NULL,
  uri               TEXT        NOT NULL,
  fee               NUMERIC(78) NOT NULL,
  quorum            INT         NOT NULL,
  contributor_count INT         NOT NULL,
  block_number      BIGINT      NOT NULL,
  log_index         INT         NOT NULL,
  tx_hash           TEXT        NOT NULL
);

-- Later changes of a model: kind FEE (value = new fee in wei), RETIRED, VERSION_OF (value = the
-- predecessor's id), OWNER_PENDING and OWNER (value = address).
CREATE TABLE model_change (
  model_id     BIGINT NOT NULL,
  kind         TEXT   NOT NULL,
  value        TEXT,
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_change_model ON model_change (model_id, kind);

CREATE TABLE contributor (
  model_id     BIGINT NOT NULL,
  idx          INT    NOT NULL,
  account      TEXT   NOT NULL,
  role         INT    NOT NULL,
  share_bps    INT    NOT NULL,
  dataset      BYTEA,
  block_number BIGINT NOT NULL,
  PRIMARY KEY (model_id, idx)
);
CREATE INDEX contributor_account ON contributor (account);
CREATE INDEX contributor_dataset ON contributor (dataset) WHERE dataset IS NOT NULL;

CREATE TABLE worker (
  signer       TEXT   PRIMARY KEY,
  operator     TEXT   NOT NULL,
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  tx_hash      TEXT   NOT NULL
);
CREATE INDEX worker_operator ON worker (operator);

-- Every stake movement: REGISTERED, ADDED, UNBONDING, WITHDRAWN, SLASHED. stake is the stake
-- after it (null for WITHDRAWN and SLASHED, after which it is what the events say).
CREATE TABLE stake_event (
  signer       TEXT        NOT NULL,
  kind         TEXT        NOT NULL,
  amount       NUMERIC(78) NOT NULL,
  stake        NUMERIC(78),
  available_at BIGINT,
  reporter     TEXT,
  reward       NUMERIC(78),
  block_number BIGINT      NOT NULL,
  log_index    INT         NOT NULL,
  tx_hash      TEXT        NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX stake_event_signer ON stake_event (signer);

CREATE TABLE request (
  request_id   BIGINT      PRIMARY KEY,
  model_id     BIGINT      NOT NULL,
  requester    TEXT        NOT NULL,
  input_hash   BYTEA       NOT NULL,
  fee          NUMERIC(78) NOT NULL,
  deadline     BIGINT      NOT NULL,
  callback     TEXT        NOT NULL,
  callback_gas BIGINT      NOT NULL,
  input        BYTEA       NOT NULL,
  block_number BIGINT      NOT NULL,
  log_index    INT         NOT NULL,
  tx_hash      TEXT        NOT NULL
);
CREATE INDEX request_model ON request (model_id, request_id);
CREATE INDEX request_requester ON request (requester, request_id);

-- How a request ended: SETTLED (output and proofs), FAILED (reason, detail hash, refund) or
-- EXPIRED (refund). The split of a settlement is stored as computed with the split in force.
CREATE TABLE outcome (
  request_id    BIGINT      PRIMARY KEY,
  kind          TEXT        NOT NULL,
  output        BYTEA,
  output_hash   BYTEA,
  proofs        BYTEA,
  reason        INT,
  detail_hash   BYTEA,
  refund        NUMERIC(78),
  protocol_part NUMERIC(78),
  worker_each   NUMERIC(78),
  pool_part     NUMERIC(78),
  block_number  BIGINT      NOT NULL,
  log_index     INT         NOT NULL,
  tx_hash       TEXT        NOT NULL
);
CREATE INDEX outcome_kind ON outcome (kind, request_id);

-- The signers of a settled receipt (recovered from its proofs) or of a signed failure.
CREATE TABLE outcome_signer (
  request_id   BIGINT NOT NULL,
  k            INT    NOT NULL,
  signer       TEXT   NOT NULL,
  operator     TEXT,
  executed_at  BIGINT,
  signature    BYTEA,
  block_number BIGINT NOT NULL,
  PRIMARY KEY (request_id, k)
);
CREATE INDEX outcome_signer_signer ON outcome_signer (signer);

-- ReceiptSkipped, CallbackFailed and EquivocationReported, for the record.
CREATE TABLE request_note (
  request_id   BIGINT NOT NULL,
  kind         TEXT   NOT NULL,
  detail       TEXT,
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  tx_hash      TEXT   NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX request_note_request ON request_note (request_id);

-- Every wei credited to or claimed from an account's vault balance: WORKER (a settlement's
-- worker part, to the signer's operator), REFUND (failure or expiry, to the requester),
-- SLASH_REWARD (to the reporter), PROTOCOL (accrued fees collected, to the treasury), SHARE (a
-- model pool's distribution, role of the contributor), CLAIM (negative: the balance paid out).
CREATE TABLE ledger (
  account      TEXT        NOT NULL,
  kind         TEXT        NOT NULL,
  role         INT,
  amount       NUMERIC(78) NOT NULL,
  model_id     BIGINT,
  request_id   BIGINT,
  block_number BIGINT      NOT NULL,
  log_index    INT         NOT NULL,
  seq          INT         NOT NULL,
  PRIMARY KEY (block_number, log_index, seq)
);
CREATE INDEX ledger_account ON ledger (account, kind);
CREATE INDEX ledger_model ON ledger (model_id) WHERE model_id IS NOT NULL;

-- A model's undistributed pool: + each settlement's contributors' part, − each distribution.
CREATE TABLE pool_ledger (
  model_id     BIGINT      NOT NULL,
  amount       NUMERIC(78) NOT NULL,
  request_id   BIGINT,
  block_number BIGINT      NOT NULL,
  log_index    INT         NOT NULL,
  PRIMARY KEY (block_number, log_index, model_id)
);
CREATE INDEX pool_ledger_model ON pool_ledger (model_id);

-- Protocol fees accrued in the hub: + each settlement's protocol part and each slash less its
-- reward, − each collection (credited to the treasury).
CREATE TABLE protocol_ledger (
  amount       NUMERIC(78) NOT NULL,
  kind         TEXT        NOT NULL,
  block_number BIGINT      NOT NULL,
  log_index    INT         NOT NULL,
  PRIMARY KEY (block_number, log_index)
);

CREATE TABLE claim (
  account      TEXT        NOT NULL,
  to_address   TEXT        NOT NULL,
  amount       NUMERIC(78) NOT NULL,
  block_number BIGINT      NOT NULL,
  log_index    INT         NOT NULL,
  tx_hash      TEXT        NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX claim_account ON claim (account);
