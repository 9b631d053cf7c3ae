package io.credence.indexer.api;

import io.credence.indexer.store.CatalogStore;
import io.credence.indexer.store.WorkerStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Models, datasets, workers and network statistics. Amounts are wei as decimal strings. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {
  @Inject CatalogStore store;
  @Inject WorkerStore workers;

  @GET
  @Path("/models")
  @Operation(summary = "Models, by id; pass a page's next as after for the next page")
  public Page<CatalogStore.ModelSummary> models(
      @QueryParam("after") String after, @QueryParam("limit") String limit) {
    int size = ApiErrors.limit(limit);
    long from = after == null ? 0 : ApiErrors.cursorId(after);
    return Page.of(store.models(from, size), size, m -> Long.toString(m.modelId()));
  }

  @GET
  @Path("/models/{id}")
  @Operation(
      summary =
          "A model: contributors and datasets, parents and children (lineage, with the wei paid"
              + " along each edge), requests served, earnings by role")
  public CatalogStore.ModelView model(@PathParam("id") String id) {
    long modelId = ApiErrors.id("a model id", id);
    return store
        .model(modelId)
        .orElseThrow(() -> ApiErrors.notFound("model " + modelId + " is not indexed"));
  }

  @GET
  @Path("/datasets")
  @Operation(
      summary =
          "Datasets, in registration order; pass a page's next (block:logIndex) as after for the next page")
  public Page<CatalogStore.DatasetSummary> datasets(
      @QueryParam("after") String after, @QueryParam("limit") String limit) {
    int size = ApiErrors.limit(limit);
    CatalogStore.DatasetCursor from = null;
    if (after != null) {
      String[] at = after.split(":");
      if (at.length != 2 || !at[0].matches("\\d{1,18}") || !at[1].matches("\\d{1,9}")) {
        throw ApiErrors.badRequest(
            "after is the next of a previous page of datasets (block:logIndex, e.g. 12:0), got '"
                + after
                + "'");
      }
      from = new CatalogStore.DatasetCursor(Long.parseLong(at[0]), Integer.parseInt(at[1]));
    }
    List<Map.Entry<CatalogStore.DatasetSummary, CatalogStore.DatasetCursor>> found =
        store.datasets(from, size);
    List<CatalogStore.DatasetSummary> items = found.stream().map(Map.Entry::getKey).toList();
    CatalogStore.DatasetCursor last =
        found.isEmpty() ? null : found.get(found.size() - 1).getValue();
    return new Page<>(items, found.size() < size ? null : last.block() + ":" + last.logIndex());
  }

  @GET
  @Path("/datasets/{sha256}")
  @Operation(summary = "A dataset: the models trained on it and its provider's earnings from them")
  public CatalogStore.DatasetView dataset(@PathParam("sha256") String sha256) {
    byte[] hash = ApiErrors.hash("a dataset's sha256", sha256);
    return store
        .dataset(hash)
        .orElseThrow(() -> ApiErrors.notFound("dataset " + sha256 + " is not registered"));
  }

  @GET
  @Path("/workers")
  @Operation(summary = "Workers, by signing key; pass a page's next as after for the next page")
  public Page<WorkerStore.WorkerView> workers(
      @QueryParam("after") String after, @QueryParam("limit") String limit) {
    int size = ApiErrors.limit(limit);
    String from = after == null ? "" : ApiErrors.address(after);
    return Page.of(workers.workers(from, size), size, WorkerStore.WorkerView::signer);
  }

  @GET
  @Path("/workers/{signer}")
  @Operation(summary = "A worker: stake, receipts served, failures, slashes")
  public WorkerStore.WorkerView worker(@PathParam("signer") String signer) {
    String key = ApiErrors.address(signer);
    return workers
        .worker(key)
        .orElseThrow(() -> ApiErrors.notFound("worker " + key + " is not registered"));
  }

  @GET
  @Path("/stats")
  @Operation(summary = "Network statistics")
  public CatalogStore.Stats stats() {
    return store.stats();
  }
}
