package io.credence.indexer.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Map;

/** Checks of path and query parameters; a bad one is a 400 with a message, never a stack trace. */
final class ApiErrors {
  private ApiErrors() {}

  /** A positive integer id (request, model). */
  static long id(String what, String value) {
    try {
      long v = Long.parseLong(value);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw badRequest(what + " is a positive integer, got '" + value + "'");
  }

  /** An address, 0x and 40 hex digits; returned lower-case. */
  static String address(String value) {
    if (value == null || !value.matches("0x[0-9a-fA-F]{40}")) {
      throw badRequest("an address is 0x followed by 40 hex digits, got '" + value + "'");
    }
    return value.toLowerCase(Locale.ROOT);
  }

  /** A 32-byte hash, 0x and 64 hex digits. */
  static byte[] hash(String what, String value) {
    if (value == null || !value.matches("0x[0-9a-fA-F]{64}")) {
      throw badRequest(what + " is 0x followed by 64 hex digits, got '" + value + "'");
    }
    return io.credence.protocol.Hashes.fromHex(value);
  }

  /**
   * The {@code after} cursor of a list by id: the next of a previous page, an id ≥ 0 (0: from the
   * first).
   */
  static long cursorId(String value) {
    if (value.matches("\\d{1,18}")) {
      return Long.parseLong(value);
    }
    throw badRequest(
        "after is the next of a previous page (an id, 0 for the first page), got '" + value + "'");
  }

  /** A page size: 1 to 500, 50 when absent. */
  static int limit(String value) {
    if (value == null) {
      return 50;
    }
    if (value.matches("\\d{1,3}")) {
      int n = Integer.parseInt(value);
      if (n >= 1 && n <= 500) {
        return n;
      }
    }
    throw badRequest("limit is a page size between 1 and 500, got '" + value + "'");
  }

  static WebApplicationException notFound(String message) {
    return status(Response.Status.NOT_FOUND, message);
  }

  static WebApplicationException badRequest(String message) {
    return status(Response.Status.BAD_REQUEST, message);
  }

  private static WebApplicationException status(Response.Status status, String message) {
    return new WebApplicationException(
        message,
        Response.status(status)
            .type(MediaType.APPLICATION_JSON)
            .entity(Map.of("error", message))
            .build());
  }
}
