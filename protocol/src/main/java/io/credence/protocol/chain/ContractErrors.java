package io.credence.protocol.chain;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.protocol.Hashes;
import io.credence.protocol.messages.ProtocolJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Array;
import org.web3j.abi.datatypes.BytesType;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.protocol.core.Response;

/**
 * Revert data, for people: {@code 0x42fdf937…} becomes {@code DeadlineInPast(deadline=1796405776,
 * now=1796405786)}. The contracts' custom errors come from {@code
 * io/credence/contracts/errors.json} in the contracts jar, which the contracts build exports from
 * the compiled ABIs (never copied by hand), so a new error is decoded as soon as it is compiled.
 * Solidity's own {@code Error(string)} and {@code Panic(uint256)} are decoded too. A trailing
 * underscore of a parameter name (Solidity's way around shadowing, as in {@code now_}) is dropped.
 * Thread-safe: the table is read once.
 */
public final class ContractErrors {
  static final String RESOURCE = "io/credence/contracts/errors.json";
  private static final String ERROR_STRING = "08c379a0";
  private static final String PANIC = "4e487b71";

  /**
   * foundry/anvil's wording: {@code custom error 0x42fdf937: 0000…} (the arguments may be absent).
   */
  private static final Pattern ANVIL =
      Pattern.compile("custom error 0x([0-9a-fA-F]{8})(?::\\s*(?:0x)?([0-9a-fA-F]*))?");

  /** Raw revert data in a message (geth, Besu): a selector and whole 32-byte words. */
  private static final Pattern RAW =
      Pattern.compile("\\b0x([0-9a-fA-F]{8}(?:[0-9a-fA-F]{64})*)(?![0-9a-fA-F])");

  private static final Map<Integer, String> PANICS =
      Map.of(
          0x01,
          "assertion failed",
          0x11,
          "arithmetic overflow or underflow",
          0x12,
          "division or modulo by zero",
          0x21,
          "invalid enum value",
          0x22,
          "bad storage byte array",
          0x31,
          "pop on an empty array",
          0x32,
          "array index out of bounds",
          0x41,
          "out of memory",
          0x51,
          "call to an uninitialised function");

  /** One custom error: its name and its parameters' names and ABI types. */
  record ErrorAbi(String name, List<String> names, List<String> types) {}

  private ContractErrors() {}

  /** The known errors by selector (8 hex digits, lower case), read once. */
  private static final class Table {
    static final Map<String, ErrorAbi> BY_SELECTOR = load();

    private static Map<String, ErrorAbi> load() {
      try (InputStream in = ContractErrors.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              RESOURCE
                  + " is not on the classpath: the credence-contracts jar is missing or was built without it");
        }
        Map<String, ErrorAbi> table = new HashMap<>();
        for (JsonNode e : ProtocolJson.mapper().readTree(in)) {
          List<String> names = new ArrayList<>();
          List<String> types = new ArrayList<>();
          for (JsonNode p : e.get("inputs")) {
            names.add(p.get("name").asText());
            types.add(p.get("type").asText());
          }
          String signature = e.get("signature").asText();
          table.put(selector(signature), new ErrorAbi(e.get("name").asText(), names, types));
        }
        return Map.copyOf(table);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * The selector of an error or function signature such as {@code DeadlineInPast(uint64,uint256)}.
   */
  static String selector(String signature) {
    return HexFormat.of()
        .formatHex(Hashes.keccak256(signature.getBytes(StandardCharsets.US_ASCII)), 0, 4);
  }

  /** The number of custom errors known (for tests and diagnostics). */
  static int known() {
    return Table.BY_SELECTOR.size();
  }

  /**
   * Revert data ({@code 0x} and hex, a 4-byte selector then the ABI-encoded arguments) as {@code
   * Name(arg=value, …)}; empty when the selector is not one of the contracts' errors (or Solidity's
   * own) or the arguments do not decode.
   */
  public static Optional<String> decode(String revertData) {
    if (revertData == null) {
      return Optional.empty();
    }
    String hex =
        revertData.startsWith("0x") || revertData.startsWith("0X")
            ? revertData.substring(2)
            : revertData;
    if (hex.length() < 8 || !hex.matches("[0-9a-fA-F]*")) {
      return Optional.empty();
    }
    String selector = hex.substring(0, 8).toLowerCase(Locale.ROOT);
    String args = hex.substring(8);
    ErrorAbi abi =
        switch (selector) {
          case ERROR_STRING -> new ErrorAbi("Error", List.of("reason"), List.of("string"));
          case PANIC -> new ErrorAbi("Panic", List.of("code"), List.of("uint256"));
          default -> Table.BY_SELECTOR.get(selector);
        };
    if (abi == null) {
      return Optional.empty();
    }
    List<Type> values;
    try {
      values = FunctionReturnDecoder.decode(args, typeReferences(abi.types()));
    } catch (RuntimeException e) {
      return Optional.empty(); // not this error's arguments after all: leave the data as it is
    }
    if (values.size() != abi.types().size()) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder(abi.name()).append('(');
    for (int i = 0; i < values.size(); i++) {
      String name = abi.names().get(i);
      out.append(i == 0 ? "" : ", ")
          .append(name.endsWith("_") ? name.substring(0, name.length() - 1) : name)
          .append('=')
          .append(format(values.get(i)));
    }
    out.append(')');
    if (abi.name().equals("Panic")) {
      int code = ((BigInteger) values.get(0).getValue()).intValue();
      out.append(": ").append(PANICS.getOrDefault(code, "unknown panic code"));
    }
    return Optional.of(out.toString());
  }

  /**
   * A node's or web3j's error message with every piece of revert data in it decoded: anvil's {@code
   * custom error 0x42fdf937: 00…} and raw {@code 0x42fdf937…} data alike. Unknown selectors stay as
   * they are.
   */
  public static String describe(String message) {
    if (message == null) {
      return null;
    }
    String anvil =
        replace(ANVIL.matcher(message), m -> m.group(1) + (m.group(2) == null ? "" : m.group(2)));
    return replace(RAW.matcher(anvil), m -> m.group(1));
  }

  /**
   * What went wrong, for people: the message of {@code e} with its revert data decoded; when a
   * cause carries decodable revert data that the message lacks, the cause's decoded message is
   * added.
   */
  public static String describe(Throwable e) {
    String top = e.getMessage() == null ? e.toString() : e.getMessage();
    String described = describe(top);
    if (!described.equals(top)) {
      return described;
    }
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null) {
        String cause = describe(c.getMessage());
        if (!cause.equals(c.getMessage())) {
          return top + ": " + cause;
        }
      }
    }
    return top;
  }

  /**
   * The revert data of a JSON-RPC error (its {@code data}: a hex string, or an object holding one,
   * as nodes differ), if it carries any.
   */
  public static Optional<String> revertData(Response.Error error) {
    if (error == null || error.getData() == null) {
      return Optional.empty();
    }
    Matcher m = Pattern.compile("0x[0-9a-fA-F]{8,}").matcher(error.getData());
    return m.find() ? Optional.of(m.group()) : Optional.empty();
  }

  /** A JSON-RPC error as a sentence: its message, with its revert data decoded where it has any. */
  public static String describe(Response.Error error) {
    String message = describe(error.getMessage());
    Optional<String> data = revertData(error);
    Optional<String> decoded = data.flatMap(ContractErrors::decode);
    if (decoded.isEmpty() || message.contains(decoded.get())) {
      return message;
    }
    // anvil renders the arguments after the selector as text when their bytes happen to be
    // printable ("custom error 0x42fdf937: …ky…"): the decoded data replaces all of it
    Matcher anvil =
        Pattern.compile(
                "custom error 0x" + data.get().substring(2, 10) + "(?::.*)?$",
                Pattern.CASE_INSENSITIVE | Pattern.DOTALL)
            .matcher(message);
    if (anvil.find()) {
      return message.substring(0, anvil.start()) + decoded.get();
    }
    return message + ": " + decoded.get();
  }

  private static String replace(Matcher m, java.util.function.Function<Matcher, String> data) {
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Optional<String> decoded = decode(data.apply(m));
      m.appendReplacement(out, Matcher.quoteReplacement(decoded.orElse(m.group())));
    }
    m.appendTail(out);
    return out.toString();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<TypeReference<Type>> typeReferences(List<String> types) {
    List<TypeReference<Type>> refs = new ArrayList<>();
    for (String t : types) {
      try {
        refs.add((TypeReference) TypeReference.makeTypeReference(t));
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException("unsupported ABI type " + t, e);
      }
    }
    return refs;
  }

  private static String format(Type<?> value) {
    if (value instanceof Address a) {
      return a.getValue().toLowerCase(Locale.ROOT);
    }
    if (value instanceof Utf8String s) {
      return '"' + s.getValue() + '"';
    }
    if (value instanceof BytesType b) {
      return "0x" + HexFormat.of().formatHex(b.getValue());
    }
    if (value instanceof Array<?> array) {
      return array.getValue().stream()
          .map(v -> format((Type<?>) v))
          .collect(Collectors.joining(", ", "[", "]"));
    }
    return String.valueOf(value.getValue());
  }
}
