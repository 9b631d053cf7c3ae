package io.credence.indexer.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import org.hibernate.annotations.Immutable;

/**
 * A registered model as registered (later changes are in model_change). Read-only: the follower
 * writes.
 */
@Entity
@Table(name = "model")
@Immutable
public class ModelEntity extends PanacheEntityBase {
  @Id
  @Column(name = "model_id")
  public long modelId;

  public String owner;
  public byte[] sha256;
  public String uri;
  public BigDecimal fee;
  public int quorum;

  @Column(name = "contributor_count")
  public int contributorCount;

  @Column(name = "block_number")
  public long blockNumber;

  @Column(name = "tx_hash")
  public String txHash;
}
