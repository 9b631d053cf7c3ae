package io.credence.relayer.api;

import io.credence.protocol.Hashes;
import io.credence.relayer.Engine;
import io.credence.relayer.signed.Refused;
import io.credence.relayer.signed.SignedRequestBody;
import io.credence.relayer.signed.SignedRequests;
import io.credence.relayer.store.RequestHistory;
import io.credence.relayer.store.RequestView;
import io.credence.relayer.store.SignedRequestStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.web3j.utils.Numeric;

/**
 * Requests signed off-chain: a user with a vault deposit and no ETH for gas posts a signed {@code
 * InferenceRequest}; the relayer checks it before spending any gas, submits it (paid back from the
 * request's allowance), answers with the request id once mined, and streams the request's progress
 * to its receipt as server-sent events.
 */
@Path("/v1/requests")
public class SignedRequestResource {
  private static final Set<String> CLOSED = Set.of("SETTLED", "REFUNDED", "EXPIRED", "REJECTED");

  /** How long an event stream waits for a request the relayer has not seen yet. */
  private static final long UNSEEN_FOR_NANOS = TimeUnit.SECONDS.toNanos(60);

  @Inject SignedRequests signed;
  @Inject RequestHistory history;
  @Inject Engine engine;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary =
          "Submit a request its requester signed (EIP-712 InferenceRequest), paid from the"
              + " requester's vault balance",
      description =
          "Checked before any gas is spent. Answers once the request is mined (201, with"
              + " its id), or after credence.relayer.signed.wait-for-mined with 202 and the digest to"
              + " ask again with.")
  @APIResponse(responseCode = "201", description = "mined: the hub's request id")
  @APIResponse(responseCode = "202", description = "accepted, not yet mined")
  @APIResponse(responseCode = "400", description = "malformed, or the input is not the signed one")
  @APIResponse(responseCode = "401", description = "not signed by the requester")
  @APIResponse(responseCode = "402", description = "the vault balance does not cover it")
  @APIResponse(responseCode = "404", description = "unknown model")
  @APIResponse(responseCode = "409", description = "the nonce is used or out of order")
  @APIResponse(responseCode = "413", description = "the input is too large")
  @APIResponse(
      responseCode = "422",
      description = "the hub would refuse it, or its allowance does not pay its gas")
  @APIResponse(responseCode = "429", description = "too many from this requester")
  public Response post(SignedRequestBody body) throws IOException, InterruptedException {
    byte[] digest;
    try {
      digest = signed.accept(body);
    } catch (Refused r) {
      throw ApiErrors.status(r.status(), r.getMessage());
    }
    engine.wake();
    long until = System.nanoTime() + signed.waitForMined().toNanos();
    while (true) {
      SignedRequestStore.Signed row = signed.find(digest).orElseThrow();
      switch (row.state()) {
        case MINED -> {
          return Response.status(Response.Status.CREATED)
              .type(MediaType.APPLICATION_JSON)
              .entity(answer(digest, row))
              .build();
        }
        case FAILED -> throw ApiErrors.status(422, row.error());
        default -> {
          if (System.nanoTime() > until) {
            return Response.accepted(answer(digest, row)).type(MediaType.APPLICATION_JSON).build();
          }
        }
      }
      Thread.sleep(100);
    }
  }

  @GET
  @Path("/signed/{digest}")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "What became of a posted signed request, by its EIP-712 digest")
  @APIResponse(responseCode = "200", description = "its state, and its request id once mined")
  @APIResponse(responseCode = "404", description = "never posted here")
  public Map<String, Object> signedRequest(@PathParam("digest") String digest) {
    if (!digest.matches("0x[0-9a-fA-F]{64}")) {
      throw ApiErrors.status(
          Response.Status.BAD_REQUEST, "a digest is 0x and 32 bytes of hex, got '" + digest + "'");
    }
    byte[] d = Numeric.hexStringToByteArray(digest);
    return signed
        .find(d)
        .map(row -> answer(d, row))
        .orElseThrow(() -> ApiErrors.notFound("no signed request " + digest + " was posted here"));
  }

  @GET
  @Path("/{id}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "A request's progress as server-sent events",
      description =
          "One event each time its state changes (the request as GET /v1/requests/{id}"
              + " shows it); the stream ends when it is settled, refunded, expired or rejected.")
  public Multi<RequestView> events(@PathParam("id") String id) {
    long requestId = ApiErrors.requestId(id);
    return Multi.createFrom()
        .emitter(em -> {
          AtomicReference<String> last = new AtomicReference<>();
          AtomicReference<ScheduledFuture<?>> poll = new AtomicReference<>();
          long started = System.nanoTime();
          poll.set(
              Infrastructure.getDefaultWorkerPool()
                  .scheduleWithFixedDelay(
                      () -> {
                        try {
                          Optional<RequestView> v = history.view(requestId);
                          if (v.isEmpty()) {
                            if (System.nanoTime() - started > UNSEEN_FOR_NANOS) {
                              em.complete();
                            }
                            return;
                          }
                          if (!v.get().state().equals(last.getAndSet(v.get().state()))) {
                            em.emit(v.get());
                          }
                          if (CLOSED.contains(v.get().state())) {
                            em.complete();
                          }
                        } catch (RuntimeException e) {
                          em.fail(e);
                        }
                      },
                      0,
                      250,
                      TimeUnit.MILLISECONDS));
          em.onTermination(() -> poll.get().cancel(false));
        });
  }

  private static Map<String, Object> answer(byte[] digest, SignedRequestStore.Signed row) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("digest", Hashes.hex(digest));
    out.put("state", row.state().name());
    if (row.requestId() != null) {
      out.put("requestId", row.requestId());
      out.put("events", "/v1/requests/" + row.requestId() + "/events");
    }
    if (row.error() != null) {
      out.put("error", row.error());
    }
    return out;
  }
}
