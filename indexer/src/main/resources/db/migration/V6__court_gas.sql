-- The court's transactions are paid back their gas from the protocol's share (CourtGasPaid): from
-- its accrued fees first (a negative COURT_GAS protocol_ledger row), then from the treasury's
-- unclaimed balance (a negative COURT_GAS ledger row of the treasury); the caller is credited a GAS
-- ledger row, as for a settlement it sent. No new columns: the kinds are new values.
COMMENT ON TABLE protocol_ledger IS 'Protocol fees accrued in the hub: + settlements'' protocol parts summed per block, + slashes less rewards, + the court''s protocol part (COURT), - the court''s gas paid from it (COURT_GAS), - collections';
COMMENT ON TABLE ledger IS 'Every wei credited to or claimed from an account''s vault balance; settlement WORKER credits summed per block, operator and model; the court''s REFUND, BOND_RETURN, CHALLENGE_REWARD, JUROR_PAY and BOND_SHARE; gas: GAS (settlements'' and the court''s transactions paid back), GAS_RETURN, DEPOSIT, SIGNED_ESCROW; COURT_GAS (negative, the treasury: court gas paid from its balance)';
