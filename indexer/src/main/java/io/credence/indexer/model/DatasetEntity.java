package io.credence.indexer.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.Immutable;

/** A registered dataset. Read-only: the follower writes. */
@Entity
@Table(name = "dataset")
@Immutable
public class DatasetEntity extends PanacheEntityBase {
  @Id public byte[] sha256;

  public String provider;
  public String uri;

  @Column(name = "block_number")
  public long blockNumber;

  @Column(name = "log_index")
  public int logIndex;

  @Column(name = "tx_hash")
  public String txHash;
}
