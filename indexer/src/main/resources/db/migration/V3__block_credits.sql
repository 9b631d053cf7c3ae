-- From this version on, the credits of a block's settlements are written summed: one WORKER row
-- per operator and model, one pool_ledger row per model and one SETTLEMENT protocol_ledger row
-- per block, tagged with the log index of the block's first settlement (request_id NULL). Each
-- settlement's own split stays in its outcome row. Sums over the ledgers are unchanged; they run
-- over far fewer rows. No data moves: an index built by an earlier version keeps its per-request
-- rows, which sum to the same amounts.
COMMENT ON TABLE ledger IS 'Every wei credited to or claimed from an account''s vault balance; settlement WORKER credits summed per block, operator and model';
COMMENT ON TABLE pool_ledger IS 'A model''s undistributed pool: + settlements'' contributor parts summed per block, - each distribution';
COMMENT ON TABLE protocol_ledger IS 'Protocol fees accrued in the hub: + settlements'' protocol parts summed per block, + slashes less rewards, - collections';
