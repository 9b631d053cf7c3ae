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
