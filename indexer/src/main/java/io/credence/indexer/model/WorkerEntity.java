package io.credence.indexer.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Immutable;

/** A worker's signing key and its operator. Read-only: the follower writes. */
@Entity
@Table(name = "worker")
@Immutable
public class WorkerEntity extends PanacheEntityBase {
  @Id public String signer;

  public String operator;

  @Column(name = "block_number")
  public long blockNumber;

  @Column(name = "tx_hash")
  public String txHash;
}
