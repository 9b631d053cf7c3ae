package io.credence.relayer.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** 4xx answers with a message, never a stack trace. */
final class ApiErrors {
  private ApiErrors() {}

  static long requestId(String id) {
    try {
      long v = Long.parseLong(id);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw status(
        Response.Status.BAD_REQUEST, "a request id is a positive integer, got '" + id + "'");
  }

  static WebApplicationException notFound(String message) {
    return status(Response.Status.NOT_FOUND, message);
  }

  static WebApplicationException status(Response.Status status, String message) {
    return status(status.getStatusCode(), message);
  }

  /** A 4xx by code (422, which {@link Response.Status} does not name, among them). */
  static WebApplicationException status(int status, String message) {
    return new WebApplicationException(
        message,
        Response.status(status)
            .type(MediaType.APPLICATION_JSON)
            .entity(Map.of("error", message))
            .build());
  }
}
