package io.credence.indexer.api;

import io.credence.indexer.store.DisputeStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Disputes over settled answers: audits and challenges. Amounts are wei as decimal strings. */
@Path("/v1/disputes")
@Produces(MediaType.APPLICATION_JSON)
public class DisputeResource {
  @Inject DisputeStore store;

  @GET
  @Path("/{id}")
  @Operation(
      summary =
          "A dispute: the answer and its signers, the challenger and bond, the jury, its verdicts, the outcome (slash, refund, reward, juror pay)")
  public DisputeStore.DisputeView get(@PathParam("id") String id) {
    long disputeId = ApiErrors.id("a dispute id", id);
    return store
        .dispute(disputeId)
        .orElseThrow(() -> ApiErrors.notFound("dispute " + disputeId + " is not indexed"));
  }
}
