package io.credence.worker.signing;

import io.credence.worker.config.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

/**
 * Loads the worker's signing key: an encrypted JSON keystore with its password, or a hex key.
 * Both come from configuration fed by the environment; no message here ever contains key
 * material or the password.
 */
public final class WorkerKeys {
  private WorkerKeys() {}

  public static Credentials load(WorkerConfig.Key key) {
    if (key.keystore().isPresent()) {
      Path file = Path.of(key.keystore().get());
      if (!Files.isReadable(file)) {
        throw new IllegalStateException("worker keystore " + file + " is not readable");
      }
      String password =
          key.password()
              .orElseThrow(
                  () -> new IllegalStateException("worker keystore " + file + " needs its password in CREDENCE_WORKER_KEY_PASSWORD"));
      try {
        return WalletUtils.loadCredentials(password, file.toFile());
      } catch (Exception e) {
        throw new IllegalStateException("cannot open worker keystore " + file + ": wrong password or not a web3 keystore");
      }
    }
    String hex =
        key.hex()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no worker signing key: set CREDENCE_WORKER_KEY_HEX, or credence.worker.key.keystore with "
                            + "CREDENCE_WORKER_KEY_PASSWORD"));
    String clean = hex.startsWith("0x") ? hex.substring(2) : hex;
    if (!clean.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalStateException("the worker signing key must be 32 bytes of hex (64 hex digits)");
    }
    return Credentials.create(clean);
  }
}
