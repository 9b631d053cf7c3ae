package io.credence.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.protocol.messages.ProtocolJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of a model card the CLI labels tensors with: the JSON file next to the model file
 * ({@code iris-classifier.onnx} → {@code iris-classifier.json}), its {@code input.name} with {@code
 * input.columns} and its {@code output.name} with {@code output.classes} (see models/demo).
 */
record ModelCardFile(Path file, String inputName, List<String> inputColumns, String outputName, List<String> outputClasses)
    implements TensorLabels {

  /** Where the card of the model file {@code model} lives: the same name with {@code .json}. */
  static Path besides(Path model) {
    String name = model.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return model.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".json");
  }

  /**
   * Reads a card.
   *
   * @throws IOException when the file cannot be read or is not a JSON object
   */
  static ModelCardFile read(Path file) throws IOException {
    JsonNode root;
    try {
      root = ProtocolJson.mapper().readTree(Files.readString(file));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("the model card " + file + " is not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IOException("the model card " + file + " is not a JSON object");
    }
    JsonNode input = root.path("input");
    JsonNode output = root.path("output");
    return new ModelCardFile(file, input.path("name").asText(""), strings(input.path("columns")), output.path("name").asText(""), strings(output.path("classes")));
  }

  @Override
  public List<String> columns(String tensor) {
    return tensor.equals(inputName) ? inputColumns : List.of();
  }

  @Override
  public List<String> classes(String tensor) {
    return tensor.equals(outputName) ? outputClasses : List.of();
  }

  private static List<String> strings(JsonNode list) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : list) {
      out.add(n.asText());
    }
    return List.copyOf(out);
  }
}
