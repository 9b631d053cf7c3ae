package io.credence.indexer.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import org.hibernate.annotations.Immutable;

/** How a request ended: SETTLED, FAILED or EXPIRED. Read-only: the follower writes. */
@Entity
@Table(name = "outcome")
@Immutable
public class OutcomeEntity extends PanacheEntityBase {
  @Id
  @Column(name = "request_id")
  public long requestId;

  public String kind;
  public byte[] output;

  @Column(name = "output_hash")
  public byte[] outputHash;

  public byte[] proofs;
  public Integer reason;

  @Column(name = "detail_hash")
  public byte[] detailHash;

  public BigDecimal refund;

  @Column(name = "protocol_part")
  public BigDecimal protocolPart;

  @Column(name = "worker_each")
  public BigDecimal workerEach;

  @Column(name = "pool_part")
  public BigDecimal poolPart;

  @Column(name = "gas_charged")
  public BigDecimal gasCharged;

  @Column(name = "gas_returned")
  public BigDecimal gasReturned;

  @Column(name = "block_number")
  public long blockNumber;

  @Column(name = "tx_hash")
  public String txHash;
}
