package io.credence.relayer.api;

import io.credence.relayer.Engine;
import io.credence.relayer.dispatch.Dispatcher;
import io.credence.relayer.model.RequestState;
import io.credence.relayer.store.RequestStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.logging.Logger;

/**
 * Operator actions; every one needs {@code Authorization: Bearer <credence.relayer.admin-token>}.
 */
@Path("/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "adminToken")
public class AdminResource {
  private static final Logger LOG = Logger.getLogger(AdminResource.class);

  @Inject Dispatcher dispatcher;
  @Inject RequestStore requests;
  @Inject Engine engine;

  @GET
  @Path("/dispatch")
  @Operation(summary = "Whether dispatch to the workers is paused")
  public Map<String, Object> dispatch() {
    return Map.of("paused", dispatcher.paused());
  }

  @POST
  @Path("/dispatch/pause")
  @Operation(summary = "Stop sending jobs to the workers (results still settle)")
  public Map<String, Object> pause() {
    dispatcher.pause(true);
    return dispatch();
  }

  @POST
  @Path("/dispatch/resume")
  @Operation(summary = "Send jobs to the workers again")
  public Map<String, Object> resume() {
    dispatcher.pause(false);
    engine.wake();
    return dispatch();
  }

  @POST
  @Path("/requests/{id}/retry")
  @Operation(
      summary = "Retry an open request",
      description =
          "A request with a quorum result is queued for settlement again; one without is dispatched again. "
              + "Closed requests (settled, refunded, expired) and those in a pending transaction cannot be retried (409).")
  public Response retry(@PathParam("id") String id) {
    long requestId = ApiErrors.requestId(id);
    RequestState state =
        requests
            .state(requestId)
            .orElseThrow(() ->
                ApiErrors.notFound("request " + requestId + " has not been seen by this relayer"));
    boolean changed = requests.retry(requestId);
    if (!changed) {
      throw ApiErrors.status(
          Response.Status.CONFLICT,
          "request " + requestId + " is " + state + " and cannot be retried");
    }
    LOG.infof("request %d retried by an operator (was %s)", requestId, state);
    engine.wake();
    return Response.accepted(Map.of("requestId", requestId, "previousState", state.name())).build();
  }
}
