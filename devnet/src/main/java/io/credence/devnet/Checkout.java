package io.credence.devnet;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where things are in a Credence checkout, for the tools that run from one ({@code scripts/credence
 * up}, {@code scripts/devnet}, the tests). The scripts pass the root as the system property {@code
 * credence.repo.root}; otherwise it is found by walking up from the working directory. The deploy
 * step of the container images runs without a checkout and never calls this.
 */
public final class Checkout {
  private Checkout() {}

  public static Path root() {
    String prop = System.getProperty("credence.repo.root");
    if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop, "contracts"))) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("contracts/package.json"))
          && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "cannot find the Credence checkout from "
            + Path.of("").toAbsolutePath()
            + ": run from inside it or set -Dcredence.repo.root=<path>");
  }

  /** The anvil binary: $CREDENCE_ANVIL, else the one the contracts toolchain installed. */
  public static Path anvil() {
    String env = System.getenv("CREDENCE_ANVIL");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    Path p = root().resolve("contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException(
          "anvil is not installed at "
              + p
              + ": build the contracts module first (./mvnw -pl contracts validate "
              + "runs npm ci there) or set CREDENCE_ANVIL to an anvil binary");
    }
    return p;
  }
}
