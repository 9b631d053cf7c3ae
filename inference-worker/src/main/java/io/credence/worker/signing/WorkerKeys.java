package io.credence.worker.signing;

import io.credence.protocol.keys.SigningKeys;
import io.credence.worker.config.WorkerConfig;
import org.web3j.crypto.Credentials;

/** Loads the worker's signing key (see {@link SigningKeys}). */
public final class WorkerKeys {
  private WorkerKeys() {}

  public static Credentials load(WorkerConfig.Key key) {
    return SigningKeys.load(
        "worker",
        key.hex(),
        key.keystore(),
        key.password(),
        "CREDENCE_WORKER_KEY",
        "credence.worker.key");
  }
}
