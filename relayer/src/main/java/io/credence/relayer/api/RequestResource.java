package io.credence.relayer.api;

import io.credence.relayer.store.RequestHistory;
import io.credence.relayer.store.RequestView;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Read access to the relayer's view of each request. */
@Path("/v1/requests")
@Produces(MediaType.APPLICATION_JSON)
public class RequestResource {
  @Inject RequestHistory history;

  @GET
  @Path("/{id}")
  @Operation(
      summary = "A request's state, dispatch attempts, worker results, transactions and receipt")
  @APIResponse(responseCode = "200", description = "the request")
  @APIResponse(responseCode = "400", description = "the id is not a request id")
  @APIResponse(responseCode = "404", description = "the relayer has not seen this request")
  public RequestView get(@PathParam("id") String id) {
    long requestId = ApiErrors.requestId(id);
    return history
        .view(requestId)
        .orElseThrow(() ->
            ApiErrors.notFound("request " + requestId + " has not been seen by this relayer"));
  }
}
