package io.credence.protocol.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the contracts of one chain live: {@code deployments/<chainId>.json}, written by the deploy
 * step and read by every service and the CLI.
 *
 * @param chainId the chain
 * @param startBlock the block of the first deployment transaction: indexers start there
 * @param deployer the deploying account
 * @param contracts contract name to address: ModelRegistry, RewardVault, WorkerRegistry,
 *     InferenceHub, DisputeCourt
 */
public record DeploymentManifest(
    long chainId, long startBlock, String deployer, Map<String, String> contracts) {
  public static final String MODEL_REGISTRY = "ModelRegistry";
  public static final String REWARD_VAULT = "RewardVault";
  public static final String WORKER_REGISTRY = "WorkerRegistry";
  public static final String INFERENCE_HUB = "InferenceHub";
  public static final String DISPUTE_COURT = "DisputeCourt";

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  public DeploymentManifest {
    contracts = Map.copyOf(new LinkedHashMap<>(contracts));
  }

  /** The address of {@code name}; fails with the names present when it is missing. */
  public String address(String name) {
    String a = contracts.get(name);
    if (a == null) {
      throw new IllegalStateException(
          "deployment of chain "
              + chainId
              + " has no "
              + name
              + " (has "
              + contracts.keySet()
              + ")");
    }
    return a;
  }

  /** {@code <dir>/<chainId>.json}. */
  public static Path file(Path deploymentsDir, long chainId) {
    return deploymentsDir.resolve(chainId + ".json");
  }

  public static DeploymentManifest read(Path file) {
    try {
      return JSON.readValue(file.toFile(), DeploymentManifest.class);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read deployment manifest " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes atomically (temporary file, then rename), so readers never see half a file. */
  public void write(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write deployment manifest " + file + ": " + e.getMessage(), e);
    }
  }
}
