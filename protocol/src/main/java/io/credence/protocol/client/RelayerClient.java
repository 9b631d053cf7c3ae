package io.credence.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.receipt.InferenceRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.web3j.utils.Numeric;

/**
 * Posts a signed request to a relayer ({@code POST /v1/requests}) and waits until it is mined: what
 * a wallet's web page does with {@code fetch}, for the CLI and the demo.
 */
public final class RelayerClient implements AutoCloseable {
  /** The relayer turned the request away (its HTTP status and reason), or it failed on-chain. */
  public static final class Refused extends Exception {
    private final int status;

    public Refused(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final String base;
  private final HttpClient http = HttpClient.newHttpClient();

  /**
   * @param base the relayer's address, e.g. {@code http://127.0.0.1:8080}
   */
  public RelayerClient(String base) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  /** The JSON body {@code POST /v1/requests} takes. */
  public static String body(InferenceRequest request, byte[] input, byte[] signature)
      throws IOException {
    return ProtocolJson.mapper()
        .writeValueAsString(
            Map.of(
                "request",
                request.message(),
                "input",
                Numeric.toHexString(input),
                "signature",
                Numeric.toHexString(signature)));
  }

  /**
   * Posts the signed request and waits (at most {@code timeout}) until the relayer has it mined.
   *
   * @return the hub's request id
   * @throws Refused when the relayer refuses it, or the hub did
   */
  public long submit(InferenceRequest request, byte[] input, byte[] signature, Duration timeout)
      throws IOException, InterruptedException, Refused {
    long until = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> posted =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/requests"))
                .header("Content-Type", "application/json")
                .timeout(timeout.plusSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body(request, input, signature)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode answer = json(posted);
    while (!answer.has("requestId")) {
      if ("FAILED".equals(answer.path("state").asText())) {
        throw new Refused(422, answer.path("error").asText());
      }
      String digest = answer.path("digest").asText();
      if (System.nanoTime() > until) {
        throw new Refused(
            202,
            "not mined yet; ask the relayer again: GET " + base + "/v1/requests/signed/" + digest);
      }
      Thread.sleep(500);
      answer =
          json(
              http.send(
                  HttpRequest.newBuilder(URI.create(base + "/v1/requests/signed/" + digest))
                      .build(),
                  HttpResponse.BodyHandlers.ofString()));
    }
    return answer.path("requestId").asLong();
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException, Refused {
    JsonNode body;
    try {
      body = ProtocolJson.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new Refused(r.statusCode(), "the relayer answered " + r.statusCode() + ": " + r.body());
    }
    if (r.statusCode() >= 400) {
      throw new Refused(r.statusCode(), body.path("error").asText(r.body()));
    }
    return body;
  }

  @Override
  public void close() {
    http.close();
  }
}
