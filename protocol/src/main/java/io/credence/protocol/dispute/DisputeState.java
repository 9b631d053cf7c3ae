package io.credence.protocol.dispute;

/** A dispute's state in the DisputeCourt ({@code STATE_*}), and its kind ({@code KIND_*}). */
public enum DisputeState {
  AWAITING_JURY(1),
  VOTING(2),
  FAULT_PROVEN(3),
  UPHELD(4),
  NO_MAJORITY(5);

  public static final int KIND_AUDIT = 1;
  public static final int KIND_CHALLENGE = 2;

  private final int code;

  DisputeState(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** True once resolved: nothing more happens to the dispute. */
  public boolean resolved() {
    return code >= FAULT_PROVEN.code;
  }

  public static DisputeState ofCode(int code) {
    for (DisputeState s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown dispute state " + code);
  }

  /** "audit" or "challenge". */
  public static String kindName(int kind) {
    return switch (kind) {
      case KIND_AUDIT -> "audit";
      case KIND_CHALLENGE -> "challenge";
      default -> throw new IllegalArgumentException("unknown dispute kind " + kind);
    };
  }
}
