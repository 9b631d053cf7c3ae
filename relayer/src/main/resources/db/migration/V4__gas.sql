-- What a request's gas allowance pays back (InferenceRequested's gasAllowance and maxFeePerGas):
-- part of the request as the hub committed it, resent with every settlement.
ALTER TABLE request
  ADD COLUMN gas_allowance   NUMERIC(78) NOT NULL DEFAULT 0,
  ADD COLUMN max_fee_per_gas NUMERIC(78) NOT NULL DEFAULT 0;
