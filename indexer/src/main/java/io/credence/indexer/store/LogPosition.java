package io.credence.indexer.store;

/**
 * Where a row came from: every row of the index is tagged with its log's block, so a reorg undoes
 * it by block number.
 *
 * @param block the log's block number
 * @param index the log's index in its block
 * @param tx the log's transaction hash
 */
public record LogPosition(long block, int index, String tx) {}
