package io.credence.relayer.signed;

/**
 * A signed request turned away before any gas was spent on it: the HTTP status to answer with and a
 * message that says what to change.
 */
public final class Refused extends RuntimeException {
  private final int status;

  public Refused(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
