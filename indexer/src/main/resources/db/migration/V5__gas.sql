-- Gas allowances (see docs/explorer.md): each request escrows its fee and a gas allowance that
-- pays back, up to max_fee_per_gas, whoever submits its settlement, failure or expiry; what the
-- allowance does not spend goes back to the requester's vault balance. A transaction that closes
-- requests ends with GasReimbursed, whose charges are what each closed request paid, in the order
-- of the transaction's InferenceSettled / InferenceFailed / InferenceExpired; a signed request's
-- submission (requestInferenceFor) is an InferenceRequested followed by a GasReimbursed of one
-- charge. Rows stay insert-only, tagged with their log's block (a reorg deletes them by block).

-- What a request escrowed for gas (for a signed request: what was left after its submission was
-- paid back) and the most per gas it pays back. Requests indexed before this version: 0.
ALTER TABLE request ADD COLUMN gas_allowance   NUMERIC(78) NOT NULL DEFAULT 0;
ALTER TABLE request ADD COLUMN max_fee_per_gas NUMERIC(78) NOT NULL DEFAULT 0;

-- What closing the request charged its allowance (paid to the submitter) and what of the allowance
-- went back to the requester; null when unknown (no GasReimbursed in its transaction).
ALTER TABLE outcome ADD COLUMN gas_charged  NUMERIC(78);
ALTER TABLE outcome ADD COLUMN gas_returned NUMERIC(78);

-- New ledger kinds: GAS (to the submitter of a settlement, failure, expiry or signed request: the
-- gas the hub paid it back, one row per transaction, tagged with its GasReimbursed), GAS_RETURN (to
-- a requester: the unspent rest of a closed request's allowance, with request_id; none when 0),
-- DEPOSIT (Deposited: credited to the account by deposit or depositFor) and SIGNED_ESCROW
-- (negative: a signed request's fee and original allowance taken from its requester's balance,
-- with request_id).
COMMENT ON TABLE ledger IS 'Every wei credited to or claimed from an account''s vault balance; settlement WORKER credits summed per block, operator and model; the court''s REFUND, BOND_RETURN, CHALLENGE_REWARD, JUROR_PAY and BOND_SHARE; gas: GAS, GAS_RETURN, DEPOSIT, SIGNED_ESCROW';
