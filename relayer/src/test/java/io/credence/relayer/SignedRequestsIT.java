package io.credence.relayer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.credence.contracts.InferenceHub;
import io.credence.devnet.node.AnvilNode;
import io.credence.protocol.Hashes;
import io.credence.protocol.chain.ChainTime;
import io.credence.protocol.receipt.Eip712Domain;
import io.credence.protocol.receipt.InferenceRequest;
import io.credence.protocol.receipt.ReceiptSigner;
import io.credence.testkit.network.LocalNetwork;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;

/**
 * Requests signed off-chain over HTTP, with the real relayer, workers, chain, broker and database:
 * a user whose only money is a vault deposit (no ETH for gas) gets a receipted answer, followed as
 * server-sent events; every refusal answers its 4xx before the relayer spends any gas.
 */
@QuarkusTest
@WithTestResource(RelayerNetworkResource.class)
class SignedRequestsIT {
  private static final Credentials FUNDER = AnvilNode.devAccount(5);
  private static final BigInteger MAX_FEE = BigInteger.valueOf(50_000_000_000L);

  @TestHTTPResource("/")
  URL base;

  private LocalNetwork net() {
    return RelayerNetworkResource.network;
  }

  @Test
  void aUserWithOnlyADepositGetsAReceiptedAnswerStreamedAsEvents() throws Exception {
    LocalNetwork net = net();
    Credentials user = key("a user with a deposit and no ETH");
    byte[] input = LocalNetwork.input(1, 2.5f, -1, 0.5f);
    InferenceRequest request = request(user, 1, input, BigInteger.ZERO);
    net.hubAs(FUNDER).depositFor(user.getAddress(), total(request)).send();

    var posted =
        post(body(request, input, sign(user, request))).then().statusCode(201).extract().jsonPath();
    long id = posted.getLong("requestId");
    assertThat(posted.getString("events")).isEqualTo("/v1/requests/" + id + "/events");

    List<String> events = events(id);
    assertThat(events).isNotEmpty();
    assertThat(events.get(events.size() - 1)).contains("\"state\":\"SETTLED\"");
    assertThat(RelayerIT.view(id).getString("receipt.outcome")).isEqualTo("OK");
    assertThat(
            net.anvil
                .web3j()
                .ethGetBalance(user.getAddress(), DefaultBlockParameterName.LATEST)
                .send()
                .getBalance())
        .as("the user never had or spent ETH")
        .isZero();
    InferenceHub hub = net.hubAs(FUNDER);
    assertThat(hub.balanceOf(user.getAddress()).send())
        .as("what the allowance did not spend came back to the user's balance")
        .isEqualTo(net.gasReturned(id));

    // the same signed request posted again is the same request, answered the same
    post(body(request, input, sign(user, request)))
        .then()
        .statusCode(201)
        .body("requestId", org.hamcrest.Matchers.equalTo((int) id));
  }

  @Test
  void everyRefusalIsA4xxWithItsReasonAndCostsNoGas() throws Exception {
    LocalNetwork net = net();
    Credentials user = key("a user whose requests are refused");
    byte[] input = LocalNetwork.input(2, 1, 1, 1);
    InferenceRequest good = request(user, 1, input, InferenceRequest.nonce(BigInteger.ONE, 0));
    net.hubAs(FUNDER).depositFor(user.getAddress(), total(good)).send();
    long signedWork = signedWork(net);

    given()
        .contentType("application/json")
        .body("{\"request\": {")
        .when()
        .post("/v1/requests")
        .then()
        .statusCode(400);
    post(body(good, LocalNetwork.input(3, 1, 1, 1), sign(user, good)))
        .then()
        .statusCode(400)
        .body("error", containsString("input does not match"));
    post(body(good, input, sign(key("somebody else"), good)))
        .then()
        .statusCode(401)
        .body("error", containsString("signature is not"));
    InferenceRequest unknownModel =
        request(user, 999, input, InferenceRequest.nonce(BigInteger.ONE, 0));
    post(body(unknownModel, input, sign(user, unknownModel)))
        .then()
        .statusCode(404)
        .body("error", containsString("model 999"));
    int maxInput = net.hubAs(FUNDER).config().send().component3().intValueExact();
    byte[] huge = new byte[maxInput + 1];
    InferenceRequest oversize = request(user, 1, huge, InferenceRequest.nonce(BigInteger.ONE, 0));
    post(body(oversize, huge, sign(user, oversize)))
        .then()
        .statusCode(413)
        .body("error", containsString((maxInput + 1) + " bytes"));
    Credentials poor = key("a user with no deposit");
    InferenceRequest unfunded = request(poor, 1, input, BigInteger.ZERO);
    post(body(unfunded, input, sign(poor, unfunded)))
        .then()
        .statusCode(402)
        .body("error", containsString("deposit"));
    InferenceRequest skipsAhead =
        request(user, 1, input, InferenceRequest.nonce(BigInteger.ONE, 5));
    post(body(skipsAhead, input, sign(user, skipsAhead)))
        .then()
        .statusCode(409)
        .body("error", containsString("not the next"));
    assertThat(signedWork(net))
        .as("no refusal was queued or cost the relayer a transaction")
        .isEqualTo(signedWork);

    // accepted once; the same nonce with other fields is a replay
    long id =
        post(body(good, input, sign(user, good)))
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("requestId");
    InferenceRequest replay =
        new InferenceRequest(
            good.requester(),
            good.modelId(),
            good.inputHash(),
            good.fee().add(BigInteger.ONE),
            good.gasAllowance(),
            good.maxFeePerGas(),
            good.deadline(),
            good.callback(),
            good.callbackGas(),
            good.nonce());
    post(body(replay, input, sign(user, replay)))
        .then()
        .statusCode(409)
        .body("error", containsString("replayed"));
    RelayerIT.awaitState(id, "SETTLED");
  }

  // ------------------------------------------------------------------ helpers

  private InferenceRequest request(Credentials user, long model, byte[] input, BigInteger nonce)
      throws Exception {
    LocalNetwork net = net();
    BigInteger allowance =
        net.hubAs(FUNDER)
            .quoteSigned(
                BigInteger.valueOf(Math.min(model, 1)),
                BigInteger.valueOf(input.length),
                BigInteger.ZERO,
                MAX_FEE)
            .send()
            .component2();
    return new InferenceRequest(
        user.getAddress(),
        BigInteger.valueOf(model),
        Hashes.keccak256(input),
        LocalNetwork.FEE,
        allowance,
        MAX_FEE,
        new ChainTime(net.anvil.web3j()).deadlineIn(3_600),
        InferenceRequest.NO_CALLBACK,
        0,
        nonce);
  }

  private static BigInteger total(InferenceRequest r) {
    return r.fee().add(r.gasAllowance());
  }

  private byte[] sign(Credentials who, InferenceRequest r) {
    return new ReceiptSigner(who)
        .sign(r, Eip712Domain.credence(net().anvil.chainId(), net().hub()));
  }

  private static Map<String, Object> body(InferenceRequest r, byte[] input, byte[] signature) {
    return Map.of(
        "request",
        r.message(),
        "input",
        Numeric.toHexString(input),
        "signature",
        Numeric.toHexString(signature));
  }

  private static io.restassured.response.Response post(Map<String, Object> body) {
    return given().contentType("application/json").body(body).when().post("/v1/requests");
  }

  /** The request's server-sent events until the stream ends (it ends once the request closes). */
  private List<String> events(long id) throws Exception {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base + "v1/requests/" + id + "/events"))
            .header("Accept", "text/event-stream")
            .timeout(Duration.ofSeconds(120))
            .build();
    List<String> data = new ArrayList<>();
    try (HttpClient http = HttpClient.newHttpClient();
        Stream<String> lines = http.send(req, HttpResponse.BodyHandlers.ofLines()).body()) {
      lines.filter(l -> l.startsWith("data:")).forEach(l -> data.add(l.substring(5).trim()));
    }
    return data;
  }

  /** Transactions the relayer's wallet stored to submit signed requests, and rows it queued. */
  private static long signedWork(LocalNetwork net) throws Exception {
    try (var c = io.credence.testkit.TestInfra.postgres().connect();
        var rs =
            c.createStatement()
                .executeQuery(
                    "SELECT (SELECT count(*) FROM "
                        + net.schema
                        + ".tx WHERE kind = 'SIGNED_REQUEST') + (SELECT count(*) FROM "
                        + net.schema
                        + ".signed_request)")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Credentials key(String seed) {
    return Credentials.create(Hashes.hex(Hashes.keccak256(seed.getBytes())));
  }
}
