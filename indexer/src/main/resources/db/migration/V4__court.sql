-- The DisputeCourt (see docs/explorer.md): disputes over settled answers, their juries, verdicts
-- and outcomes; the hub's settlement batches they refer to; models' accountability terms. Like
-- every table of the index, rows are only inserted, each tagged with its log's block, so a reorg
-- deletes them by block (IngestStore.TABLES). A dispute's life is one row per event: opened
-- (dispute, dispute_signer), jury drawn (jury, juror), verdicts (verdict), resolved
-- (dispute_resolution, juror_pay).

-- BatchSettled: the hub settled `settled` (the event's count) requests in one batch whose id is its first request's.
CREATE TABLE settlement_batch (
  batch_id     BIGINT PRIMARY KEY,
  settled      INT    NOT NULL,
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  tx_hash      TEXT   NOT NULL
);

-- DisputeOpened: kind 1 audit (challenger: who drew the audits, bond 0), 2 challenge.
CREATE TABLE dispute (
  dispute_id   BIGINT      PRIMARY KEY,
  request_id   BIGINT      NOT NULL,
  kind         INT         NOT NULL,
  batch_id     BIGINT      NOT NULL,
  challenger   TEXT        NOT NULL,
  bond         NUMERIC(78) NOT NULL,
  output_hash  BYTEA       NOT NULL,
  block_number BIGINT      NOT NULL,
  log_index    INT         NOT NULL,
  tx_hash      TEXT        NOT NULL
);
CREATE INDEX dispute_request ON dispute (request_id);
CREATE INDEX dispute_challenger ON dispute (challenger);

-- The signers of the disputed answer, as the dispute names them (ascending).
CREATE TABLE dispute_signer (
  dispute_id   BIGINT NOT NULL,
  k            INT    NOT NULL,
  signer       TEXT   NOT NULL,
  block_number BIGINT NOT NULL,
  PRIMARY KEY (dispute_id, k)
);
CREATE INDEX dispute_signer_signer ON dispute_signer (signer);

-- JuryDrawn: the jury and when its verdicts are due (unix seconds).
CREATE TABLE jury (
  dispute_id       BIGINT PRIMARY KEY,
  verdict_deadline BIGINT NOT NULL,
  block_number     BIGINT NOT NULL,
  log_index        INT    NOT NULL,
  tx_hash          TEXT   NOT NULL
);
CREATE TABLE juror (
  dispute_id   BIGINT NOT NULL,
  k            INT    NOT NULL,
  juror        TEXT   NOT NULL,
  block_number BIGINT NOT NULL,
  PRIMARY KEY (dispute_id, k)
);
CREATE INDEX juror_juror ON juror (juror);

-- VerdictRecorded: votes is the number of verdicts recorded so far.
CREATE TABLE verdict (
  dispute_id        BIGINT  NOT NULL,
  juror             TEXT    NOT NULL,
  agrees            BOOLEAN NOT NULL,
  juror_output_hash BYTEA   NOT NULL,
  votes             INT     NOT NULL,
  block_number      BIGINT  NOT NULL,
  log_index         INT     NOT NULL,
  tx_hash           TEXT    NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX verdict_dispute ON verdict (dispute_id);
CREATE INDEX verdict_juror ON verdict (juror);

-- DisputeResolved, with FaultProven's amounts when the fault was proven: state 3 fault proven,
-- 4 upheld, 5 no majority.
CREATE TABLE dispute_resolution (
  dispute_id       BIGINT      PRIMARY KEY,
  state            INT         NOT NULL,
  agreed           INT         NOT NULL,
  disagreed        INT         NOT NULL,
  jury_size        INT         NOT NULL,
  jury_output_hash BYTEA,
  slashed          NUMERIC(78),
  refund           NUMERIC(78),
  reward           NUMERIC(78),
  block_number     BIGINT      NOT NULL,
  log_index        INT         NOT NULL,
  tx_hash          TEXT        NOT NULL
);

-- JurorPaid: a juror's pay, credited to its operator.
CREATE TABLE juror_pay (
  dispute_id   BIGINT      NOT NULL,
  juror        TEXT        NOT NULL,
  operator     TEXT        NOT NULL,
  amount       NUMERIC(78) NOT NULL,
  block_number BIGINT      NOT NULL,
  log_index    INT         NOT NULL,
  tx_hash      TEXT        NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX juror_pay_juror ON juror_pay (juror);
CREATE INDEX juror_pay_dispute ON juror_pay (dispute_id);

-- AuditsDrawn: how many of a batch's leaves were audited.
CREATE TABLE audit_draw (
  batch_id     BIGINT NOT NULL,
  seed_block   BIGINT NOT NULL,
  leaves       INT    NOT NULL,
  audited      INT    NOT NULL,
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  tx_hash      TEXT   NOT NULL,
  PRIMARY KEY (block_number, log_index)
);

-- AuditSkipped, JuryDrawDeferred, VerdictSkipped, for the record.
CREATE TABLE dispute_note (
  dispute_id   BIGINT,
  request_id   BIGINT,
  kind         TEXT   NOT NULL,
  detail       TEXT,
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  tx_hash      TEXT   NOT NULL,
  PRIMARY KEY (block_number, log_index)
);

-- ModelTermsSet: a model's accountability terms from a log on; model_id 0 are the defaults of
-- every model without terms of its own.
CREATE TABLE model_terms (
  model_id         BIGINT NOT NULL,
  challenge_window BIGINT NOT NULL,
  audit_rate_bps   INT    NOT NULL,
  jury_size        INT    NOT NULL,
  tolerance_mode   INT    NOT NULL,
  tolerance_ulps   BIGINT NOT NULL,
  tolerance_abs_e9 BIGINT NOT NULL,
  block_number     BIGINT NOT NULL,
  log_index        INT    NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX model_terms_model ON model_terms (model_id);

COMMENT ON TABLE ledger IS 'Every wei credited to or claimed from an account''s vault balance; settlement WORKER credits summed per block, operator and model; the court''s REFUND, BOND_RETURN, CHALLENGE_REWARD, JUROR_PAY and BOND_SHARE';
COMMENT ON TABLE protocol_ledger IS 'Protocol fees accrued in the hub: + settlements'' protocol parts summed per block, + slashes less rewards, + the court''s protocol part (COURT), - collections';
