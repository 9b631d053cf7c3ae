package io.credence.indexer.api;

import io.credence.indexer.store.RequestStore;
import io.credence.protocol.settlement.RequestState;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Requests, and each one's receipt with its full provenance. Amounts are wei as decimal strings.
 */
@Path("/v1/requests")
@Produces(MediaType.APPLICATION_JSON)
public class RequestResource {
  @Inject RequestStore store;

  @GET
  @Operation(
      summary =
          "Requests, oldest first (order=newest: latest first), by requester, model and state (PENDING, SETTLED, FAILED, EXPIRED); pass a page's next as after for the next page")
  public Page<RequestStore.RequestSummary> list(
      @QueryParam("requester") String requester,
      @QueryParam("model") String model,
      @QueryParam("state") String state,
      @QueryParam("order") String order,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit) {
    int size = ApiErrors.limit(limit);
    if (order != null && !order.equals("oldest") && !order.equals("newest")) {
      throw ApiErrors.badRequest("order is oldest or newest, got '" + order + "'");
    }
    RequestState s = null;
    if (state != null) {
      try {
        s = RequestState.parse(state);
      } catch (IllegalArgumentException e) {
        throw ApiErrors.badRequest(
            "state is one of " + Arrays.toString(RequestState.values()) + ", got '" + state + "'");
      }
    }
    return Page.of(
        store.list(
            requester == null ? null : ApiErrors.address(requester),
            model == null ? null : ApiErrors.id("model", model),
            s,
            after == null ? null : ApiErrors.cursorId(after),
            "newest".equals(order),
            size),
        size,
        r -> Long.toString(r.requestId()));
  }

  @GET
  @Path("/{id}")
  @Operation(
      summary =
          "A request and its receipt: model and hash, contributors and datasets, signers, transaction, the split in wei, its gas allowance and what closing it charged and returned, inputs and outputs decoded")
  public RequestStore.ReceiptView get(@PathParam("id") String id) {
    long requestId = ApiErrors.id("a request id", id);
    return store
        .receipt(requestId)
        .orElseThrow(() -> ApiErrors.notFound("request " + requestId + " is not indexed"));
  }
}
