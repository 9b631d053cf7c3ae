package io.credence.relayer.api;

import io.credence.relayer.RelayerConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Guards {@code /v1/admin}: a bearer token equal to {@code credence.relayer.admin-token} (compared
 * in constant time). Without a configured token the admin endpoints are closed (403).
 */
public class AdminAuth {
  // looked up per request: filters are created before run-time configuration is available
  @Inject Instance<RelayerConfig> config;

  @ServerRequestFilter
  public Optional<Response> check(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith("/v1/admin")) {
      return Optional.empty();
    }
    Optional<String> token = config.get().adminToken().filter(t -> !t.isBlank());
    if (token.isEmpty()) {
      return Optional.of(
          error(
              Response.Status.FORBIDDEN,
              "admin endpoints are disabled: set CREDENCE_RELAYER_ADMIN_TOKEN"));
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
    if (!MessageDigest.isEqual(
        given.getBytes(StandardCharsets.UTF_8), token.get().getBytes(StandardCharsets.UTF_8))) {
      return Optional.of(
          Response.status(Response.Status.UNAUTHORIZED)
              .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
              .type(MediaType.APPLICATION_JSON)
              .entity(Map.of("error", "admin endpoints need Authorization: Bearer <admin token>"))
              .build());
    }
    return Optional.empty();
  }

  private static Response error(Response.Status status, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", message))
        .build();
  }
}
