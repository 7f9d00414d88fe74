package io.gatehouse.control.security;

/**
 * The outcome of checking the audit chain: intact, or the first record found altered, inserted or
 * missing.
 *
 * @param intact whether every record checked out
 * @param checked how many records were read
 * @param problem what is wrong, or {@code null} when intact
 * @param seq the record named by the problem (0 when intact)
 * @param detail a sentence for people
 */
public record AuditVerification(boolean intact, long checked, Problem problem, long seq, String detail) {
  /** What happened to the record named. */
  public enum Problem {
    /** Its content no longer matches its hash. */
    ALTERED,
    /** It does not belong to the chain: it was added by someone other than the server. */
    INSERTED,
    /** It was removed: the next record links to a hash no remaining record has. */
    MISSING
  }

  static AuditVerification ok(long checked) {
    return new AuditVerification(true, checked, null, 0, "the audit log is intact: " + checked + " records");
  }

  static AuditVerification broken(long checked, Problem problem, long seq, String detail) {
    return new AuditVerification(false, checked, problem, seq,
        "record " + seq + " " + problem.name().toLowerCase(java.util.Locale.ROOT) + ": " + detail);
  }
}
