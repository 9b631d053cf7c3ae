package io.credence.protocol.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentManifestTest {
  @Test
  void writesAndReadsBack(@TempDir Path dir) throws Exception {
    DeploymentManifest m =
        new DeploymentManifest(
            31337, 1, "0xdeployer", Map.of(DeploymentManifest.INFERENCE_HUB, "0xhub"));
    Path file = DeploymentManifest.file(dir.resolve("deployments"), 31337);
    m.write(file);
    assertThat(file.getFileName().toString()).isEqualTo("31337.json");
    assertThat(Files.readString(file)).contains("\"InferenceHub\" : \"0xhub\"");
    DeploymentManifest back = DeploymentManifest.read(file);
    assertThat(back).isEqualTo(m);
    assertThat(back.address(DeploymentManifest.INFERENCE_HUB)).isEqualTo("0xhub");
    assertThatThrownBy(() -> back.address(DeploymentManifest.REWARD_VAULT))
        .hasMessageContaining("has no RewardVault");
    assertThatThrownBy(() -> DeploymentManifest.read(dir.resolve("missing.json")))
        .hasMessageContaining("missing.json");
  }
}
