package io.credence.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.web3j.protocol.Service;
import org.web3j.protocol.Web3j;

/**
 * A node that answers JSON-RPC from a script: {@link Web3j} mocked at the request boundary, as
 * web3j's own tests do (ResponseTester), so web3j's request encoding and response decoding run for
 * real. A method with no answer fails the test with its name.
 */
public final class ScriptedNode extends Service {
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Function<JsonNode, Object>> answers = new HashMap<>();
  private final List<String> calls = new ArrayList<>();
  private final List<JsonNode> sent = new ArrayList<>();

  public ScriptedNode() {
    super(false);
  }

  public Web3j web3j() {
    return Web3j.build(this);
  }

  /** Answers {@code method} with {@code result} (a JSON value: a string, a map, null). */
  public ScriptedNode answer(String method, Object result) {
    answers.put(method, params -> result);
    return this;
  }

  /** Answers {@code method} from its params. */
  public ScriptedNode answer(String method, Function<JsonNode, Object> result) {
    answers.put(method, result);
    return this;
  }

  /** Answers {@code method} with a JSON-RPC error. */
  public ScriptedNode fail(String method, String message) {
    answers.put(method, params -> new Error(message));
    return this;
  }

  /** The methods called, in order. */
  public List<String> calls() {
    return calls;
  }

  /** The params of every eth_sendRawTransaction, in order. */
  public List<String> rawSent() {
    return sent.stream().map(p -> p.get(0).asText()).toList();
  }

  /** An answer that is a JSON-RPC error with {@code message}. */
  public record Error(String message) {}

  @Override
  protected InputStream performIO(String request) throws IOException {
    JsonNode req = json.readTree(request);
    String method = req.get("method").asText();
    calls.add(method);
    if (method.equals("eth_sendRawTransaction")) {
      sent.add(req.get("params"));
    }
    Function<JsonNode, Object> answer = answers.get(method);
    if (answer == null) {
      throw new AssertionError(
          "the scripted node has no answer for " + method + " " + req.get("params"));
    }
    Object result = answer.apply(req.get("params"));
    ObjectNode out =
        json.createObjectNode().put("jsonrpc", "2.0").put("id", req.get("id").asLong());
    if (result instanceof Error e) {
      out.putObject("error").put("code", -32000).put("message", e.message());
    } else {
      out.set("result", json.valueToTree(result));
    }
    return new ByteArrayInputStream(json.writeValueAsBytes(out));
  }

  @Override
  public void close() {}
}
