package io.credence.protocol.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a model's publisher says about its tensors: the JSON file next to the model file, named as
 * the model with {@code .onnx} replaced by {@code .json} (see {@code
 * models/demo/iris-classifier.json}). Only the keys that label tensors are read: {@code input.name}
 * and {@code input.columns} (one label per element of the input's last dimension), {@code
 * output.name} and {@code output.classes} (one label per element of the output's last dimension).
 * Everything else in the card is left alone; every key is optional.
 *
 * @param name the card's {@code name}, or null
 * @param input how the input tensor's last dimension is labelled
 * @param output how the output tensor's last dimension is labelled
 */
public record ModelCard(String name, Labels input, Labels output) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A card that labels nothing: what a model without a card gets. */
  public static final ModelCard NONE = new ModelCard(null, Labels.NONE, Labels.NONE);

  /**
   * The labels of one side's tensor.
   *
   * @param tensor the tensor's name in the card, or null: then the side's first tensor
   * @param labels one per element of the tensor's last dimension; empty when the card has none
   */
  public record Labels(String tensor, List<String> labels) {
    public static final Labels NONE = new Labels(null, List.of());

    public Labels {
      labels = List.copyOf(labels);
    }
  }

  /** Parses a card's JSON; an error names {@code source} and what is wrong. */
  public static ModelCard parse(byte[] json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "the model card " + source + " is not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the model card " + source + " is not a JSON object");
    }
    return new ModelCard(
        root.path("name").isTextual() ? root.path("name").asText() : null,
        labels(root.path("input"), "columns", source),
        labels(root.path("output"), "classes", source));
  }

  private static Labels labels(JsonNode side, String key, String source) {
    if (!side.isObject()) {
      return Labels.NONE;
    }
    List<String> out = new ArrayList<>();
    JsonNode list = side.path(key);
    if (!list.isMissingNode()) {
      if (!list.isArray()) {
        throw new IllegalArgumentException(
            "the model card " + source + ": " + key + " is a list of strings");
      }
      list.forEach(n -> out.add(n.asText()));
    }
    return new Labels(side.path("name").isTextual() ? side.path("name").asText() : null, out);
  }

  /** Reads the card at {@code file}; empty when there is no such file. */
  public static Optional<ModelCard> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(parse(Files.readAllBytes(file), file.toString()));
  }

  /**
   * Where the card of the model at {@code modelUri} lies: for a {@code file:} URI ending in {@code
   * .onnx}, the same path ending in {@code .json}, a relative path resolved against {@code
   * fileRoot} (as the worker resolves model files); empty for other URIs (http, ipfs…), whose cards
   * are not fetched.
   */
  public static Optional<Path> cardPath(String modelUri, Path fileRoot) {
    URI u;
    try {
      u = new URI(modelUri);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
    if (!"file".equalsIgnoreCase(u.getScheme())) {
      return Optional.empty();
    }
    String path = u.getSchemeSpecificPart();
    if (path.startsWith("//")) {
      path = path.substring(2);
    }
    if (!path.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
      return Optional.empty();
    }
    String card = path.substring(0, path.length() - ".onnx".length()) + ".json";
    Path p = Path.of(card);
    return Optional.of((p.isAbsolute() ? p : fileRoot.resolve(p)).normalize());
  }
}
