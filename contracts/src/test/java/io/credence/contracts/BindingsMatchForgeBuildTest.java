package io.credence.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Java bindings are made from forge's own build output: every contract under src/ has a binding
 * whose deployment bytecode is byte for byte the one forge compiled (and tested), and whose methods
 * cover the contract's ABI.
 */
class BindingsMatchForgeBuildTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path FORGE_OUT = Path.of("target", "forge", "out");

  /** Contract name to forge artifact, for every contract defined under src/. */
  private static Map<String, JsonNode> forgeContracts() throws IOException {
    Map<String, JsonNode> contracts = new TreeMap<>();
    try (Stream<Path> files = Files.walk(FORGE_OUT)) {
      for (Path f :
          files
              .filter(p -> p.toString().endsWith(".json") && !p.toString().contains("build-info"))
              .toList()) {
        JsonNode artifact = JSON.readTree(f.toFile());
        var target = artifact.path("metadata").path("settings").path("compilationTarget").fields();
        if (target.hasNext()) {
          var entry = target.next();
          // an internal library (SettlementRecords) has no ABI: nothing to bind
          // a source compiled by both pipelines (foundry.toml's compilation restrictions) has two
          // artifacts: the IR pipeline's is the one exported and deployed
          boolean viaIr = artifact.path("metadata").path("settings").path("viaIR").asBoolean();
          if (entry.getKey().startsWith("src/")
              && !artifact.path("abi").isEmpty()
              && (viaIr || !contracts.containsKey(entry.getValue().asText()))) {
            contracts.put(entry.getValue().asText(), artifact);
          }
        }
      }
    }
    return contracts;
  }

  @Test
  void everySourceContractHasABindingWithForgesBytecode() throws Exception {
    Map<String, JsonNode> contracts = forgeContracts();
    assertThat(contracts).isNotEmpty();
    for (var e : contracts.entrySet()) {
      Class<?> binding = Class.forName("io.credence.contracts." + e.getKey());
      String binary = (String) binding.getField("BINARY").get(null);
      String forgeBytecode = e.getValue().path("bytecode").path("object").asText();
      assertThat(binary).as("bytecode of %s", e.getKey()).isEqualToIgnoringCase(forgeBytecode);
    }
  }

  @Test
  void bindingsCoverEveryAbiFunction() throws Exception {
    int functionsChecked = 0;
    for (var e : forgeContracts().entrySet()) {
      Class<?> binding = Class.forName("io.credence.contracts." + e.getKey());
      Set<String> methods =
          Arrays.stream(binding.getMethods()).map(Method::getName).collect(Collectors.toSet());
      List<String> functions =
          e.getValue().path("abi").findParents("type").stream()
              .filter(n -> "function".equals(n.path("type").asText()))
              .map(n -> n.path("name").asText())
              .toList();
      assertThat(methods).as("binding methods of %s", e.getKey()).containsAll(functions);
      functionsChecked += functions.size();
    }
    assertThat(functionsChecked).as("ABI functions checked").isGreaterThan(50);
  }
}
