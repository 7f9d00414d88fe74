package io.gatehouse.waf;

/**
 * Decides whether one transformed value is SQL injection or cross-site scripting; the engine
 * calls it for {@code @detectSQLi} and {@code @detectXSS}. Implementations must be thread-safe
 * and fast (they run on request threads, on every inspected value).
 */
public interface InjectionDetector {
  /** A detector that never matches: {@code @detectSQLi} and {@code @detectXSS} never fire. */
  InjectionDetector NONE = new InjectionDetector() {
    @Override
    public boolean isSqlInjection(CharSequence value) {
      return false;
    }

    @Override
    public boolean isCrossSiteScripting(CharSequence value) {
      return false;
    }
  };

  /** True when the value is SQL injection. */
  boolean isSqlInjection(CharSequence value);

  /** True when the value is cross-site scripting. */
  boolean isCrossSiteScripting(CharSequence value);
}
