package io.gatehouse.insight.injection;

/** The kind of injection an {@link InjectionFinding} reports. */
public enum InjectionCategory {
  /** SQL injection. */
  SQLI,
  /** Cross-site scripting (HTML or JavaScript injected into a page). */
  XSS,
  /** Operating-system command injection. */
  COMMAND,
  /** Directory traversal with {@code ../} sequences. */
  PATH_TRAVERSAL,
  /** Local file inclusion: references to well-known sensitive files. */
  LFI,
  /** Remote file inclusion: URLs to IP hosts or script files handed to the application. */
  RFI,
  /** Server-side request forgery: URLs to internal hosts, metadata services or rare schemes. */
  SSRF,
  /** Server-side template or expression-language injection. */
  TEMPLATE,
  /** Java: JNDI lookups (Log4Shell), deserialization payloads, reflection and OGNL. */
  JAVA_JNDI,
  /** PHP code injection: tags, wrappers, superglobals, dangerous functions, serialized objects. */
  PHP,
  /** Server-side JavaScript (Node.js) injection and prototype pollution. */
  NODE
}
