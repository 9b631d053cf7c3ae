package io.credence.indexer.model;

import io.credence.protocol.settlement.RequestState;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OneToOne;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import org.hibernate.annotations.Immutable;

/** An inference request, with its outcome once there is one. Read-only: the follower writes. */
@Entity
@Table(name = "request")
@Immutable
public class RequestEntity extends PanacheEntityBase {
  @Id
  @Column(name = "request_id")
  public long requestId;

  @Column(name = "model_id")
  public long modelId;

  public String requester;

  @Column(name = "input_hash")
  public byte[] inputHash;

  public BigDecimal fee;
  public long deadline;
  public String callback;

  @Column(name = "callback_gas")
  public long callbackGas;

  @Column(name = "gas_allowance")
  public BigDecimal gasAllowance;

  @Column(name = "max_fee_per_gas")
  public BigDecimal maxFeePerGas;

  public byte[] input;

  @Column(name = "block_number")
  public long blockNumber;

  @Column(name = "tx_hash")
  public String txHash;

  @OneToOne(optional = true)
  @JoinColumn(
      name = "request_id",
      referencedColumnName = "request_id",
      insertable = false,
      updatable = false)
  public OutcomeEntity outcome;

  /** Pending until an outcome is indexed, then the outcome's kind. */
  public RequestState state() {
    return outcome == null ? RequestState.PENDING : RequestState.valueOf(outcome.kind);
  }
}
