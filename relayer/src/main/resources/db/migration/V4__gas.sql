-- What a request's gas allowance pays back (InferenceRequested's gasAllowance and maxFeePerGas):
-- part of the request as the hub committed it, resent with every settlement.
ALTER TABLE request
  ADD COLUMN gas_allowance   NUMERIC(78) NOT NULL DEFAULT 0,
  ADD COLUMN max_fee_per_gas NUMERIC(78) NOT NULL DEFAULT 0;

-- A request whose allowance does not pay for its settlement at the fees of the moment waits
-- (credence.relayer.settlement.require-reimbursement): why, and until when it is not looked at.
ALTER TABLE request
  ADD COLUMN wait_reason TEXT,
  ADD COLUMN wait_until  TIMESTAMPTZ;

-- What each mined transaction cost the wallet (gas used x effective gas price) and what the hub
-- paid it back (GasReimbursed); NULL until mined.
ALTER TABLE tx
  ADD COLUMN spent    NUMERIC(78),
  ADD COLUMN credited NUMERIC(78);

-- Requests signed off-chain and posted to POST /v1/requests: stored (QUEUED) before anything is
-- sent, submitted by the loop (SENT, with its transaction), MINED with the hub's request id, or
-- FAILED with why (the hub would refuse it, or refused it).
CREATE TABLE signed_request (
  digest       BYTEA       PRIMARY KEY,
  requester    TEXT        NOT NULL,
  body         BYTEA       NOT NULL,
  state        TEXT        NOT NULL CHECK (state IN ('QUEUED', 'SENT', 'MINED', 'FAILED')),
  tx_id        BIGINT,
  request_id   BIGINT,
  error        TEXT,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX signed_request_open ON signed_request (created_at) WHERE state IN ('QUEUED', 'SENT');

-- The wallet claims what the hub paid it back, and submits signed requests.
ALTER TABLE tx DROP CONSTRAINT tx_kind_known;
ALTER TABLE tx ADD CONSTRAINT tx_kind_known
  CHECK (kind IN ('RECEIPTS', 'FAILURES', 'EXPIRE', 'GAP', 'DRAW_AUDITS', 'DRAW_JURY', 'VERDICTS', 'RESOLVE',
                  'CLAIM', 'SIGNED_REQUEST'));
