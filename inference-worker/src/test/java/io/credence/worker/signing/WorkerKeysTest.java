package io.credence.worker.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.worker.config.WorkerConfig;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.WalletUtils;

class WorkerKeysTest {
  @TempDir Path dir;

  private static WorkerConfig.Key key(String hex, String keystore, String password) {
    return new WorkerConfig.Key() {
      @Override
      public Optional<String> hex() {
        return Optional.ofNullable(hex);
      }

      @Override
      public Optional<String> keystore() {
        return Optional.ofNullable(keystore);
      }

      @Override
      public Optional<String> password() {
        return Optional.ofNullable(password);
      }
    };
  }

  @Test
  void loadsAKeystoreWithItsPasswordAndNeverLeaksEither() throws Exception {
    var pair = Keys.createEcKeyPair();
    String file = WalletUtils.generateWalletFile("s3cret-pass", pair, dir.toFile(), false);
    String path = dir.resolve(file).toString();
    assertThat(WorkerKeys.load(key(null, path, "s3cret-pass")).getAddress())
        .isEqualTo(Credentials.create(pair).getAddress());
    assertThatThrownBy(() -> WorkerKeys.load(key(null, path, "wrong")))
        .hasMessageContaining("wrong password or not a web3 keystore")
        .hasMessageNotContaining("wrong\"")
        .satisfies(
            e -> assertThat(e.getMessage()).doesNotContain(pair.getPrivateKey().toString(16)));
    assertThatThrownBy(() -> WorkerKeys.load(key(null, path, null)))
        .hasMessageContaining("CREDENCE_WORKER_KEY_PASSWORD");
  }

  @Test
  void aHexKeyMustBe32BytesAndIsNeverEchoed() {
    String secret = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    assertThat(WorkerKeys.load(key(secret, null, null)).getAddress())
        .isEqualTo(Credentials.create(secret).getAddress());
    assertThatThrownBy(() -> WorkerKeys.load(key("0x1234abcd", null, null)))
        .hasMessageContaining("64 hex digits")
        .hasMessageNotContaining("1234abcd");
    assertThatThrownBy(() -> WorkerKeys.load(key(null, null, null)))
        .hasMessageContaining("CREDENCE_WORKER_KEY_HEX");
  }
}
