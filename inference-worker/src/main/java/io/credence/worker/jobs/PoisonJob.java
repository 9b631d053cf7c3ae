package io.credence.worker.jobs;

/**
 * A job message the worker must not sign anything for (malformed, for another hub or chain, an
 * input that does not match its hash). It goes to the dead-letter topic with this message.
 */
public class PoisonJob extends RuntimeException {
  public PoisonJob(String message) {
    super(message);
  }
}
