-- Model lineage (see docs/explorer.md): a derived model names its parents (ModelParentAdded) with
-- shares of its pool; distributing its pool pays each parent floor(pool * share / 10 000) into the
-- parent's pool first (LineagePaid), the contributors the rest (ModelPoolDistributed says the
-- rest). Like every table of the index, rows are only inserted, each tagged with its log's block,
-- so a reorg deletes them by block (IngestStore.TABLES).

-- ModelParentAdded: kind 1 fine-tune, 2 distill, 3 quantize, 4 ensemble; position is the parent's
-- place in the model's list (the order the vault pays them in).
CREATE TABLE model_parent (
  model_id     BIGINT NOT NULL,
  parent_id    BIGINT NOT NULL,
  kind         INT    NOT NULL,
  share_bps    INT    NOT NULL,
  position     INT    NOT NULL,
  block_number BIGINT NOT NULL,
  log_index    INT    NOT NULL,
  PRIMARY KEY (model_id, position)
);
CREATE INDEX model_parent_parent ON model_parent (parent_id);

-- LineagePaid: what one distribution of model_id's pool paid into its parent's pool (a
-- pool_ledger debit of the model and credit of the parent at the same log).
CREATE TABLE lineage_paid (
  model_id     BIGINT      NOT NULL,
  parent_id    BIGINT      NOT NULL,
  amount       NUMERIC(78) NOT NULL,
  block_number BIGINT      NOT NULL,
  log_index    INT         NOT NULL,
  tx_hash      TEXT        NOT NULL,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX lineage_paid_edge ON lineage_paid (model_id, parent_id);
CREATE INDEX lineage_paid_parent ON lineage_paid (parent_id);

COMMENT ON TABLE model_parent IS 'A derived model''s parents (ModelParentAdded), in the registry''s order, with their shares of its pool';
COMMENT ON TABLE lineage_paid IS 'What distributing a derived model''s pool paid into a parent''s pool (LineagePaid)';
COMMENT ON TABLE pool_ledger IS 'A model''s undistributed pool: + settlements'' contributor parts summed per block, + its children''s LineagePaid, - each LineagePaid to its parents and each distribution to its contributors';
