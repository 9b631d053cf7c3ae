package io.credence.indexer.store;

import io.credence.protocol.service.JdbcCheckpoints;
import io.credence.protocol.store.Jdbc;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Every row ingestion writes, one method per kind of row: the indexer's schema (db/migration) seen
 * from the ingest side. Rows go to a {@link RowSink} (COPY at the step's end); each carries its
 * log's block, so a reorg deletes it with {@link #TABLES}.
 *
 * <p>Over 400 lines: every write of the ingest in one class, so that an ingest step's SQL runs in
 * one transaction and reads together.
 */
public final class IngestStore {
  /**
   * Every table of indexed rows tagged by block_number, in the order a rewind deletes them (the
   * checkpoints are protocol's {@link JdbcCheckpoints}).
   */
  public static final List<String> TABLES =
      List.of(
          "split_change",
          "treasury_change",
          "dataset",
          "model",
          "model_change",
          "contributor",
          "worker",
          "stake_event",
          "request",
          "outcome",
          "outcome_signer",
          "request_note",
          "ledger",
          "pool_ledger",
          "protocol_ledger",
          "claim",
          "setting_change",
          "settlement_batch",
          "dispute",
          "dispute_signer",
          "jury",
          "juror",
          "verdict",
          "dispute_resolution",
          "juror_pay",
          "audit_draw",
          "dispute_note",
          "model_terms",
          "model_parent",
          "lineage_paid");

  private final RowSink rows;

  /**
   * Undoes everything indexed above block {@code ancestor} (a reorg replaced those blocks), with
   * its checkpoints, in the caller's transaction.
   */
  public static void rewind(Connection c, long ancestor) throws SQLException {
    for (String table : TABLES) {
      Jdbc.update(c, "DELETE FROM " + table + " WHERE block_number > ?", ancestor);
    }
    JdbcCheckpoints.rewind(c, ancestor);
  }

  public IngestStore(RowSink rows) {
    this.rows = rows;
  }

  // ------------------------------------------------------------------ hub: requests and outcomes

  /**
   * What closing a request charged its gas allowance (paid to the submitter) and what of the
   * allowance went back to its requester; both null when unknown (no GasReimbursed).
   */
  public record Gas(BigInteger charged, BigInteger returned) {
    public static final Gas UNKNOWN = new Gas(null, null);
  }

  public void request(
      LogPosition at,
      long id,
      long modelId,
      String requester,
      byte[] inputHash,
      BigInteger fee,
      long deadline,
      String callback,
      long callbackGas,
      BigInteger gasAllowance,
      BigInteger maxFeePerGas,
      byte[] input) {
    rows.add(
        """
        INSERT INTO request (request_id, model_id, requester, input_hash, fee, deadline, callback, callback_gas, gas_allowance,
                             max_fee_per_gas, input, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        id,
        modelId,
        requester,
        inputHash,
        fee,
        deadline,
        callback,
        callbackGas,
        gasAllowance,
        maxFeePerGas,
        input,
        at.block(),
        at.index(),
        at.tx());
  }

  public void settled(
      LogPosition at,
      long id,
      byte[] output,
      byte[] outputHash,
      byte[] proofs,
      BigInteger protocolPart,
      BigInteger workerEach,
      BigInteger pool,
      Gas gas) {
    rows.add(
        """
        INSERT INTO outcome (request_id, kind, output, output_hash, proofs, protocol_part, worker_each, pool_part, gas_charged,
                             gas_returned, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        id,
        "SETTLED",
        output,
        outputHash,
        proofs,
        protocolPart,
        workerEach,
        pool,
        gas.charged(),
        gas.returned(),
        at.block(),
        at.index(),
        at.tx());
  }

  public void receiptSigner(
      LogPosition at,
      long id,
      int k,
      String signer,
      String operator,
      long executedAt,
      byte[] signature) {
    rows.add(
        "INSERT INTO outcome_signer (request_id, k, signer, operator, executed_at, signature, block_number) VALUES (?, ?, ?, ?, ?, ?, ?)",
        id,
        k,
        signer,
        operator,
        executedAt,
        signature,
        at.block());
  }

  public void failureSigner(LogPosition at, long id, int k, String signer, String operator) {
    rows.add(
        "INSERT INTO outcome_signer (request_id, k, signer, operator, block_number) VALUES (?, ?, ?, ?, ?)",
        id,
        k,
        signer,
        operator,
        at.block());
  }

  public void failed(
      LogPosition at, long id, int reason, byte[] detailHash, BigInteger refund, Gas gas) {
    rows.add(
        """
        INSERT INTO outcome (request_id, kind, reason, detail_hash, refund, gas_charged, gas_returned, block_number, log_index,
                             tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        id,
        "FAILED",
        reason,
        detailHash,
        refund,
        gas.charged(),
        gas.returned(),
        at.block(),
        at.index(),
        at.tx());
  }

  public void expired(LogPosition at, long id, BigInteger refund, Gas gas) {
    rows.add(
        """
        INSERT INTO outcome (request_id, kind, refund, gas_charged, gas_returned, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        id,
        "EXPIRED",
        refund,
        gas.charged(),
        gas.returned(),
        at.block(),
        at.index(),
        at.tx());
  }

  public void note(LogPosition at, long requestId, String kind, String detail) {
    rows.add(
        "INSERT INTO request_note (request_id, kind, detail, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)",
        requestId,
        kind,
        detail,
        at.block(),
        at.index(),
        at.tx());
  }

  // ------------------------------------------------------------------ money

  public void splitChange(LogPosition at, int protocolBps, int workerBps) {
    rows.add(
        "INSERT INTO split_change (block_number, log_index, protocol_bps, worker_bps) VALUES (?, ?, ?, ?)",
        at.block(),
        at.index(),
        protocolBps,
        workerBps);
  }

  public void treasuryChange(LogPosition at, String previous, String treasury) {
    rows.add(
        "INSERT INTO treasury_change (block_number, log_index, previous, treasury) VALUES (?, ?, ?, ?)",
        at.block(),
        at.index(),
        previous,
        treasury);
  }

  /** A row of an account's ledger; {@code seq} orders the rows of one log. */
  public void ledger(
      LogPosition at,
      int seq,
      String account,
      String kind,
      Integer role,
      BigInteger amount,
      Long modelId,
      Long requestId) {
    ledger(at.block(), at.index(), seq, account, kind, role, amount, modelId, requestId);
  }

  /** A ledger row of summed worker credits, tagged with the block's first settlement. */
  public void ledger(
      long block,
      int logIndex,
      int seq,
      String account,
      String kind,
      Integer role,
      BigInteger amount,
      Long modelId,
      Long requestId) {
    rows.add(
        """
        INSERT INTO ledger (account, kind, role, amount, model_id, request_id, block_number, log_index, seq)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        account,
        kind,
        role,
        amount,
        modelId,
        requestId,
        block,
        logIndex,
        seq);
  }

  /**
   * A model pool's credit (summed settlements of a block, a child's LineagePaid) or debit (a
   * distribution's parent part or contributors' rest, negative).
   */
  public void pool(long block, int logIndex, long modelId, BigInteger amount) {
    rows.add(
        "INSERT INTO pool_ledger (model_id, amount, block_number, log_index) VALUES (?, ?, ?, ?)",
        modelId,
        amount,
        block,
        logIndex);
  }

  /** The protocol's accrued share: SETTLEMENT and SLASH credit it, COLLECTED debits it. */
  public void protocol(long block, int logIndex, BigInteger amount, String kind) {
    rows.add(
        "INSERT INTO protocol_ledger (amount, kind, block_number, log_index) VALUES (?, ?, ?, ?)",
        amount,
        kind,
        block,
        logIndex);
  }

  public void claim(LogPosition at, String account, String to, BigInteger amount) {
    rows.add(
        "INSERT INTO claim (account, to_address, amount, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)",
        account,
        to,
        amount,
        at.block(),
        at.index(),
        at.tx());
  }

  // ------------------------------------------------------------------ models and datasets

  public void dataset(LogPosition at, byte[] sha256, String provider, String uri) {
    rows.add(
        "INSERT INTO dataset (sha256, provider, uri, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)",
        sha256,
        provider,
        uri,
        at.block(),
        at.index(),
        at.tx());
  }

  public void model(
      LogPosition at,
      long id,
      String owner,
      byte[] sha256,
      String uri,
      BigInteger fee,
      int quorum,
      int contributorCount) {
    rows.add(
        """
        INSERT INTO model (model_id, owner, sha256, uri, fee, quorum, contributor_count, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        id,
        owner,
        sha256,
        uri,
        fee,
        quorum,
        contributorCount,
        at.block(),
        at.index(),
        at.tx());
  }

  public void contributor(
      LogPosition at,
      long modelId,
      int index,
      String account,
      int role,
      int shareBps,
      byte[] dataset) {
    rows.add(
        "INSERT INTO contributor (model_id, idx, account, role, share_bps, dataset, block_number) VALUES (?, ?, ?, ?, ?, ?, ?)",
        modelId,
        index,
        account,
        role,
        shareBps,
        dataset,
        at.block());
  }

  /** A derived model's parent, at {@code position} in its list (the order the vault pays in). */
  public void parent(
      LogPosition at, long modelId, long parentId, int kind, int shareBps, int position) {
    rows.add(
        "INSERT INTO model_parent (model_id, parent_id, kind, share_bps, position, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?, ?)",
        modelId,
        parentId,
        kind,
        shareBps,
        position,
        at.block(),
        at.index());
  }

  /** What a distribution of {@code modelId}'s pool paid into its parent's pool. */
  public void lineagePaid(LogPosition at, long modelId, long parentId, BigInteger amount) {
    rows.add(
        "INSERT INTO lineage_paid (model_id, parent_id, amount, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)",
        modelId,
        parentId,
        amount,
        at.block(),
        at.index(),
        at.tx());
  }

  public void modelChange(LogPosition at, long modelId, String kind, String value) {
    rows.add(
        "INSERT INTO model_change (model_id, kind, value, block_number, log_index) VALUES (?, ?, ?, ?, ?)",
        modelId,
        kind,
        value,
        at.block(),
        at.index());
  }

  // ------------------------------------------------------------------ workers and settings

  public void worker(LogPosition at, String signer, String operator) {
    rows.add(
        "INSERT INTO worker (signer, operator, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?)",
        signer,
        operator,
        at.block(),
        at.index(),
        at.tx());
  }

  public void stake(
      LogPosition at,
      String signer,
      String kind,
      BigInteger amount,
      BigInteger stake,
      Long availableAt,
      String reporter,
      BigInteger reward) {
    rows.add(
        """
        INSERT INTO stake_event (signer, kind, amount, stake, available_at, reporter, reward, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        signer,
        kind,
        amount,
        stake,
        availableAt,
        reporter,
        reward,
        at.block(),
        at.index(),
        at.tx());
  }

  public void setting(LogPosition at, String contract, String name, String value) {
    rows.add(
        "INSERT INTO setting_change (contract, name, value, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?, ?)",
        contract,
        name,
        value,
        at.block(),
        at.index(),
        at.tx());
  }

  // ------------------------------------------------------------------ the court

  public void batch(LogPosition at, long batchId, int settled) {
    rows.add(
        "INSERT INTO settlement_batch (batch_id, settled, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?)",
        batchId,
        settled,
        at.block(),
        at.index(),
        at.tx());
  }

  public void dispute(
      LogPosition at,
      long disputeId,
      long requestId,
      int kind,
      long batchId,
      String challenger,
      BigInteger bond,
      byte[] outputHash,
      List<String> signers) {
    rows.add(
        """
        INSERT INTO dispute (dispute_id, request_id, kind, batch_id, challenger, bond, output_hash, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        disputeId,
        requestId,
        kind,
        batchId,
        challenger,
        bond,
        outputHash,
        at.block(),
        at.index(),
        at.tx());
    for (int k = 0; k < signers.size(); k++) {
      rows.add(
          "INSERT INTO dispute_signer (dispute_id, k, signer, block_number) VALUES (?, ?, ?, ?)",
          disputeId,
          k,
          signers.get(k),
          at.block());
    }
  }

  public void jury(LogPosition at, long disputeId, List<String> jurors, long verdictDeadline) {
    rows.add(
        "INSERT INTO jury (dispute_id, verdict_deadline, block_number, log_index, tx_hash) VALUES (?, ?, ?, ?, ?)",
        disputeId,
        verdictDeadline,
        at.block(),
        at.index(),
        at.tx());
    for (int k = 0; k < jurors.size(); k++) {
      rows.add(
          "INSERT INTO juror (dispute_id, k, juror, block_number) VALUES (?, ?, ?, ?)",
          disputeId,
          k,
          jurors.get(k),
          at.block());
    }
  }

  public void verdict(
      LogPosition at,
      long disputeId,
      String juror,
      boolean agrees,
      byte[] jurorOutputHash,
      int votes) {
    rows.add(
        """
        INSERT INTO verdict (dispute_id, juror, agrees, juror_output_hash, votes, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        disputeId,
        juror,
        agrees,
        jurorOutputHash,
        votes,
        at.block(),
        at.index(),
        at.tx());
  }

  /**
   * A dispute's resolution; {@code juryOutputHash}, {@code slashed}, {@code refund} and {@code
   * reward} are its FaultProven's (null otherwise).
   */
  public void resolution(
      LogPosition at,
      long disputeId,
      int state,
      int agreed,
      int disagreed,
      int jurySize,
      byte[] juryOutputHash,
      BigInteger slashed,
      BigInteger refund,
      BigInteger reward) {
    rows.add(
        """
        INSERT INTO dispute_resolution (dispute_id, state, agreed, disagreed, jury_size, jury_output_hash, slashed, refund, reward,
                                        block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        disputeId,
        state,
        agreed,
        disagreed,
        jurySize,
        juryOutputHash,
        slashed,
        refund,
        reward,
        at.block(),
        at.index(),
        at.tx());
  }

  public void jurorPay(
      LogPosition at, long disputeId, String juror, String operator, BigInteger amount) {
    rows.add(
        """
        INSERT INTO juror_pay (dispute_id, juror, operator, amount, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        disputeId,
        juror,
        operator,
        amount,
        at.block(),
        at.index(),
        at.tx());
  }

  public void auditDraw(LogPosition at, long batchId, long seedBlock, int leaves, int audited) {
    rows.add(
        """
        INSERT INTO audit_draw (batch_id, seed_block, leaves, audited, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        batchId,
        seedBlock,
        leaves,
        audited,
        at.block(),
        at.index(),
        at.tx());
  }

  /** AUDIT_SKIPPED (request), JURY_DEFERRED and VERDICT_SKIPPED (dispute). */
  public void disputeNote(
      LogPosition at, Long disputeId, Long requestId, String kind, String detail) {
    rows.add(
        """
        INSERT INTO dispute_note (dispute_id, request_id, kind, detail, block_number, log_index, tx_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        disputeId,
        requestId,
        kind,
        detail,
        at.block(),
        at.index(),
        at.tx());
  }

  /** A model's accountability terms (model 0: the defaults). */
  public void modelTerms(
      LogPosition at,
      long modelId,
      long challengeWindow,
      int auditRateBps,
      int jurySize,
      int toleranceMode,
      long toleranceUlps,
      long toleranceAbsE9) {
    rows.add(
        """
        INSERT INTO model_terms (model_id, challenge_window, audit_rate_bps, jury_size, tolerance_mode, tolerance_ulps,
                                 tolerance_abs_e9, block_number, log_index)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        modelId,
        challengeWindow,
        auditRateBps,
        jurySize,
        toleranceMode,
        toleranceUlps,
        toleranceAbsE9,
        at.block(),
        at.index());
  }
}
