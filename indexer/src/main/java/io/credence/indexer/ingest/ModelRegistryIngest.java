package io.credence.indexer.ingest;

import io.credence.contracts.ModelRegistry;
import io.credence.indexer.store.IndexReads;
import io.credence.protocol.settlement.PoolShares;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import org.web3j.protocol.core.methods.response.Log;

/**
 * The ModelRegistry's events: datasets, models with their contributors and parents, model changes,
 * settings.
 */
final class ModelRegistryIngest extends ContractIngest {
  ModelRegistryIngest(String modelRegistry) {
    super(modelRegistry);
    on(
        ModelRegistry.DATASETREGISTERED_EVENT,
        (s, l) -> {
          var e = ModelRegistry.getDatasetRegisteredEventFromLog(l);
          s.store.dataset(s.at(), e.sha256, lower(e.provider), e.uri);
        });
    on(ModelRegistry.MODELREGISTERED_EVENT, ModelRegistryIngest::model);
    on(ModelRegistry.CONTRIBUTORADDED_EVENT, ModelRegistryIngest::contributor);
    on(
        ModelRegistry.MODELPARENTADDED_EVENT,
        (s, l) -> {
          var e = ModelRegistry.getModelParentAddedEventFromLog(l);
          long modelId = e.modelId.longValueExact();
          s.store.parent(
              s.at(),
              modelId,
              e.parentId.longValueExact(),
              e.kind.intValue(),
              e.shareBps.intValue(),
              s.parentsAdded.merge(modelId, 1, Integer::sum) - 1);
        });
    on(
        ModelRegistry.MODELVERSIONREGISTERED_EVENT,
        (s, l) -> {
          var e = ModelRegistry.getModelVersionRegisteredEventFromLog(l);
          change(s, e.modelId, "VERSION_OF", e.predecessor.toString());
        });
    on(
        ModelRegistry.MODELFEECHANGED_EVENT,
        (s, l) -> {
          var e = ModelRegistry.getModelFeeChangedEventFromLog(l);
          change(s, e.modelId, "FEE", e.newFeeWei.toString());
        });
    on(
        ModelRegistry.MODELRETIRED_EVENT,
        (s, l) -> change(s, ModelRegistry.getModelRetiredEventFromLog(l).modelId, "RETIRED", null));
    on(
        ModelRegistry.MODELOWNERSHIPTRANSFERSTARTED_EVENT,
        (s, l) -> {
          var e = ModelRegistry.getModelOwnershipTransferStartedEventFromLog(l);
          change(s, e.modelId, "OWNER_PENDING", lower(e.pendingOwner));
        });
    on(
        ModelRegistry.MODELOWNERSHIPTRANSFERRED_EVENT,
        (s, l) -> {
          var e = ModelRegistry.getModelOwnershipTransferredEventFromLog(l);
          change(s, e.modelId, "OWNER", lower(e.newOwner));
        });
    on(
        ModelRegistry.HUBSET_EVENT,
        (s, l) -> setting(s, "hub", lower(ModelRegistry.getHubSetEventFromLog(l).hub)));
    on(
        ModelRegistry.OWNERSHIPTRANSFERSTARTED_EVENT,
        (s, l) ->
            setting(
                s,
                "ownerPending",
                lower(ModelRegistry.getOwnershipTransferStartedEventFromLog(l).newOwner)));
    on(
        ModelRegistry.OWNERSHIPTRANSFERRED_EVENT,
        (s, l) ->
            setting(
                s, "owner", lower(ModelRegistry.getOwnershipTransferredEventFromLog(l).newOwner)));
  }

  private static void model(Step s, Log l) {
    var e = ModelRegistry.getModelRegisteredEventFromLog(l);
    long id = e.modelId.longValueExact();
    // its contributors follow in the same transaction (ContributorAdded)
    s.registered(id, new IndexReads.Model(e.sha256, e.quorum.intValue(), new ArrayList<>()));
    s.store.model(
        s.at(),
        id,
        lower(e.owner),
        e.sha256,
        e.uri,
        e.feeWei,
        e.quorum.intValue(),
        e.contributorCount.intValue());
  }

  private static void contributor(Step s, Log l) throws java.sql.SQLException {
    var e = ModelRegistry.getContributorAddedEventFromLog(l);
    long modelId = e.modelId.longValueExact();
    PoolShares.Contributor ct =
        new PoolShares.Contributor(lower(e.account), e.role.intValue(), e.shareBps.intValue());
    s.knownModel(modelId).ifPresent(m -> m.contributors().add(ct));
    boolean noDataset = Arrays.equals(e.dataset, new byte[32]);
    s.store.contributor(
        s.at(),
        modelId,
        e.index.intValue(),
        ct.account(),
        ct.role(),
        ct.shareBps(),
        noDataset ? null : e.dataset);
  }

  private static void change(Step s, BigInteger modelId, String kind, String value) {
    s.store.modelChange(s.at(), modelId.longValueExact(), kind, value);
  }

  private static void setting(Step s, String name, String value) {
    s.store.setting(s.at(), "modelRegistry", name, value);
  }
}
