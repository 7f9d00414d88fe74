package io.gatehouse.insight.advisor;

import static java.util.Objects.requireNonNull;

import io.gatehouse.insight.sensitive.SensitiveType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the running system knows beyond the configuration, handed to {@link PostureAdvisor}: rules
 * whose facts are absent (empty lists and maps, {@code null} audit status) are skipped, never guessed.
 *
 * @param listeners the bound listeners
 * @param endpointLastSeen last call per endpoint, keyed {@code api METHOD /template}; an operation
 *     missing from a non-empty map counts as never called
 * @param observedSince when traffic observation started (endpoints are judged unused only when
 *     observation covers the whole window), or {@code null} for unknown (then taken as long ago)
 * @param admins administrator accounts
 * @param auditChain the audit chain verification result, or {@code null} when unknown
 * @param certificates certificates in use (listener, backend client, CA) with their expiry
 * @param subscriptionKeysCreated when each subscription's current keys were created, by
 *     subscription name
 * @param namedValueSources named values as written in the configuration source before
 *     {@code ${env:...}} substitution, by name; when a name is present its text decides whether the
 *     value is a reference
 * @param sensitiveEndpoints endpoints whose sampled traffic carried sensitive data
 * @param roles the management API's roles (built-in and custom) with their permissions
 *     ({@code resource:action}), by role name
 */
public record RuntimeFacts(
    List<Listener> listeners,
    Map<String, Instant> endpointLastSeen,
    Instant observedSince,
    List<AdminAccount> admins,
    AuditChain auditChain,
    List<Certificate> certificates,
    Map<String, Instant> subscriptionKeysCreated,
    Map<String, String> namedValueSources,
    List<SensitiveEndpoint> sensitiveEndpoints,
    Map<String, Set<String>> roles) {

  /** No runtime facts: only configuration rules run. */
  public static final RuntimeFacts NONE = new RuntimeFacts(null, null, null, null, null, null, null, null, null, null);

  /** Facts without sensitive-data observations. */
  public RuntimeFacts(List<Listener> listeners, Map<String, Instant> endpointLastSeen, Instant observedSince,
      List<AdminAccount> admins, AuditChain auditChain, List<Certificate> certificates,
      Map<String, Instant> subscriptionKeysCreated, Map<String, String> namedValueSources) {
    this(listeners, endpointLastSeen, observedSince, admins, auditChain, certificates, subscriptionKeysCreated,
        namedValueSources, null, null);
  }

  public RuntimeFacts {
    listeners = listeners == null ? List.of() : List.copyOf(listeners);
    endpointLastSeen = endpointLastSeen == null ? Map.of() : Map.copyOf(endpointLastSeen);
    admins = admins == null ? List.of() : List.copyOf(admins);
    certificates = certificates == null ? List.of() : List.copyOf(certificates);
    subscriptionKeysCreated = subscriptionKeysCreated == null ? Map.of() : Map.copyOf(subscriptionKeysCreated);
    namedValueSources = namedValueSources == null ? Map.of() : Map.copyOf(namedValueSources);
    sensitiveEndpoints = sensitiveEndpoints == null ? List.of() : List.copyOf(sensitiveEndpoints);
    Map<String, Set<String>> r = new java.util.TreeMap<>();
    if (roles != null) {
      roles.forEach((name, permissions) -> r.put(requireNonNull(name, "role name"), Set.copyOf(permissions)));
    }
    roles = java.util.Collections.unmodifiableMap(r);
  }

  /** Returns a copy with {@code namedValueSources} replaced. */
  public RuntimeFacts withNamedValueSources(Map<String, String> sources) {
    return new RuntimeFacts(listeners, endpointLastSeen, observedSince, admins, auditChain, certificates,
        subscriptionKeysCreated, sources, sensitiveEndpoints, roles);
  }

  /**
   * The hook through which the server learns the certificates in use and their expiry: today the
   * gateway's TLS certificate files given to {@code serve}, later the certificate store. Called
   * each time the advice is computed; it may read files but must not call the network.
   */
  @FunctionalInterface
  public interface CertificateSource {
    /** The certificates in use now; empty when none. */
    List<Certificate> certificates();
  }

  /**
   * One endpoint whose sampled traffic carried sensitive data.
   *
   * @param api API name
   * @param method HTTP method
   * @param template path template below the API's prefix
   * @param inRequests types seen in requests
   * @param inResponses types seen in responses
   */
  public record SensitiveEndpoint(String api, String method, String template, Set<SensitiveType> inRequests,
      Set<SensitiveType> inResponses) {
    public SensitiveEndpoint {
      requireNonNull(api, "api");
      requireNonNull(method, "method");
      requireNonNull(template, "template");
      inRequests = inRequests == null ? Set.of() : Set.copyOf(inRequests);
      inResponses = inResponses == null ? Set.of() : Set.copyOf(inResponses);
    }
  }

  /**
   * One bound listener.
   *
   * @param role {@code gateway}, {@code management} or {@code portal}
   * @param host the bind address
   * @param port the port
   * @param tls whether it speaks TLS
   */
  public record Listener(String role, String host, int port, boolean tls) {
    public Listener {
      requireNonNull(role, "role");
      requireNonNull(host, "host");
    }
  }

  /**
   * One administrator account.
   *
   * @param name account name
   * @param lastUsed last authenticated use, or {@code null} for never
   * @param created when the account was created, or {@code null} for unknown
   * @param secondFactor whether a second factor is enrolled
   */
  public record AdminAccount(String name, Instant lastUsed, Instant created, boolean secondFactor) {
    public AdminAccount {
      requireNonNull(name, "name");
    }
  }

  /**
   * The result of verifying the tamper-evident audit chain.
   *
   * @param intact whether every link verified
   * @param detail where it broke, or a summary
   */
  public record AuditChain(boolean intact, String detail) {
    public AuditChain {
      detail = detail == null ? "" : detail;
    }
  }

  /**
   * One certificate in use.
   *
   * @param name where it is used, e.g. {@code listener gateway:8443} or {@code backend orders client}
   * @param subject the certificate's subject
   * @param notAfter its expiry
   */
  public record Certificate(String name, String subject, Instant notAfter) {
    public Certificate {
      requireNonNull(name, "name");
      requireNonNull(notAfter, "notAfter");
      subject = subject == null ? "" : subject;
    }
  }
}
