-- The contracts' own settings and administration, one row per event: HubSet, MinStakeChanged,
-- UnbondingDelayChanged, SlashRewardChanged (WorkerRegistry); LimitsChanged, Paused, Unpaused
-- (InferenceHub); OwnershipTransferStarted and OwnershipTransferred of each contract. (The split
-- and the treasury have tables of their own: the accounting reads them.)
CREATE TABLE setting_change (
  contract     TEXT   NOT NULL,
  name         TEXT   NOT NULL,
  value        TEXT,
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  tx_hash      TEXT   NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX setting_change_name ON setting_change (contract, name);
