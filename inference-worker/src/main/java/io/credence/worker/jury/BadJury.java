package io.credence.worker.jury;

/**
 * A jury message naming this worker that it must not sign a verdict for (malformed, for another hub
 * or chain, an input or settled output that does not match its hash, an unknown tolerance). It goes
 * to the dead-letter topic with this message.
 */
public class BadJury extends RuntimeException {
  public BadJury(String message) {
    super(message);
  }
}
