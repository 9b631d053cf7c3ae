package io.credence.protocol.keys;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

/**
 * Loads a service's signing key: an encrypted JSON keystore with its password, or a hex key. Both
 * come from configuration fed by the environment; no message here ever contains key material or the
 * password.
 */
public final class SigningKeys {
  private SigningKeys() {}

  /**
   * @param role whose key, for messages ("worker", "relayer")
   * @param hex the key as hex, if given
   * @param keystore path of a keystore, if given (it wins over hex)
   * @param password the keystore's password
   * @param envPrefix the environment variables' prefix, for messages ("CREDENCE_WORKER_KEY")
   * @param configPrefix the configuration prefix, for messages ("credence.worker.key")
   */
  public static Credentials load(
      String role,
      Optional<String> hex,
      Optional<String> keystore,
      Optional<String> password,
      String envPrefix,
      String configPrefix) {
    if (keystore.isPresent()) {
      Path file = Path.of(keystore.get());
      if (!Files.isReadable(file)) {
        throw new IllegalStateException(role + " keystore " + file + " is not readable");
      }
      String secret =
          password.orElseThrow(() ->
              new IllegalStateException(
                  role
                      + " keystore "
                      + file
                      + " needs its password in "
                      + envPrefix
                      + "_PASSWORD"));
      try {
        return WalletUtils.loadCredentials(secret, file.toFile());
      } catch (Exception e) {
        throw new IllegalStateException(
            "cannot open "
                + role
                + " keystore "
                + file
                + ": wrong password or not a web3 keystore");
      }
    }
    String key =
        hex.orElseThrow(() ->
            new IllegalStateException(
                "no "
                    + role
                    + " signing key: set "
                    + envPrefix
                    + "_HEX, or "
                    + configPrefix
                    + ".keystore with "
                    + envPrefix
                    + "_PASSWORD"));
    String clean = key.startsWith("0x") ? key.substring(2) : key;
    if (!clean.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalStateException(
          "the " + role + " signing key must be 32 bytes of hex (64 hex digits)");
    }
    return Credentials.create(clean);
  }
}
