package io.gatehouse.model;

import static io.gatehouse.model.internal.Lists.copy;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;

/**
 * A backend service that APIs forward to: one base URL or a pool of members, with balancing,
 * timeouts, health checking, outlier detection, circuit breaking, retries and TLS settings.
 *
 * <p>Every setting except {@code name} and one of {@code url}/{@code members} is optional; {@code
 * null} means the documented default (see {@code docs/backends.md}).
 *
 * @param name unique backend name
 * @param url base URL of a single-member backend; the request path below the API prefix is
 *     appended to it
 * @param timeout response-head timeout overriding the gateway default, or {@code null} (kept for
 *     compatibility; {@code timeouts.response} wins)
 * @param members pool of base URLs, used instead of {@code url}
 * @param loadBalancing {@code round-robin} (default), {@code weighted} or {@code least-requests}
 * @param timeouts connect, response-head and idle timeouts
 * @param maxConnections the most HTTP/1 connections per member (default 256)
 * @param http2 speak HTTP/2 to the backend (ALPN over TLS, prior knowledge in clear text)
 * @param healthCheck active health checking, or {@code null} for none
 * @param outlierDetection passive ejection of failing members, or {@code null} for none
 * @param circuitBreaker circuit breaker for the whole backend, or {@code null} for none
 * @param retry retry policy, or {@code null} for no retries
 * @param tls TLS settings for {@code https} members, or {@code null} for the defaults
 * @param credentials credentials the gateway adds to every call to this backend, or {@code null}
 *     for none
 * @param tags labels that scope {@code apply --select-tag} (never {@code null}; empty when not given)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackendDef(
    String name,
    String url,
    Duration timeout,
    List<Member> members,
    String loadBalancing,
    Timeouts timeouts,
    Integer maxConnections,
    Boolean http2,
    HealthCheck healthCheck,
    OutlierDetection outlierDetection,
    CircuitBreaker circuitBreaker,
    Retry retry,
    Tls tls,
    Credentials credentials,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> tags) implements Tagged {

  /** The load-balancing algorithm names. */
  public static final List<String> ALGORITHMS = List.of("round-robin", "weighted", "least-requests");

  public BackendDef {
    requireNonNull(name, "name");
    members = members == null ? null : copy(members);
    tags = copy(tags);
  }

  /** A backend without tags (the form before tags existed). */
  public BackendDef(String name, String url, Duration timeout, List<Member> members, String loadBalancing,
      Timeouts timeouts, Integer maxConnections, Boolean http2, HealthCheck healthCheck,
      OutlierDetection outlierDetection, CircuitBreaker circuitBreaker, Retry retry, Tls tls, Credentials credentials) {
    this(name, url, timeout, members, loadBalancing, timeouts, maxConnections, http2, healthCheck, outlierDetection,
        circuitBreaker, retry, tls, credentials, null);
  }

  /** A single-URL backend with an explicit response timeout (or {@code null}). */
  public BackendDef(String name, String url, Duration timeout) {
    this(name, url, timeout, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** This backend with {@code credentials} in place of its own. */
  public BackendDef withCredentials(Credentials credentials) {
    return new BackendDef(name, url, timeout, members, loadBalancing, timeouts, maxConnections, http2, healthCheck,
        outlierDetection, circuitBreaker, retry, tls, credentials, tags);
  }

  /** A backend with the gateway's default timeout. */
  public static BackendDef of(String name, String url) {
    return new BackendDef(name, url, null);
  }

  /** The members: {@code members}, or the single {@code url} as one member of weight 1. */
  public List<Member> pool() {
    if (members != null && !members.isEmpty()) {
      return members;
    }
    return url == null ? List.of() : List.of(new Member(url, null, null));
  }

  /** The load-balancing algorithm, {@code round-robin} by default. */
  public String algorithm() {
    return loadBalancing == null ? "round-robin" : loadBalancing;
  }

  /**
   * One member of a backend pool.
   *
   * @param url base URL
   * @param weight relative share under {@code weighted} balancing (default 1, must be positive)
   * @param priority preference group; lower is preferred (default 0)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Member(String url, Integer weight, Integer priority) {
    public Member {
      requireNonNull(url, "url");
      weight = weight == null ? 1 : weight;
      priority = priority == null ? 0 : priority;
    }
  }

  /**
   * Backend timeouts; {@code connect} and {@code idle} fall back to the response timeout when
   * {@code null}, {@code poolIdle} to {@link #DEFAULT_POOL_IDLE}.
   *
   * @param connect TCP (and TLS) connect timeout
   * @param response longest wait for the response head (504 beyond)
   * @param idle longest silence on an open backend connection during a request
   * @param poolIdle longest time an unused keep-alive connection stays in the pool (at least
   *     100ms); keep it below the backend's own keep-alive timeout
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Timeouts(Duration connect, Duration response, Duration idle, Duration poolIdle) {
    /** The pool idle timeout when none is configured: below the 5 s of Node.js and Apache httpd. */
    public static final Duration DEFAULT_POOL_IDLE = Duration.ofSeconds(4);

    /** Timeouts without a pool idle timeout (the default applies). */
    public Timeouts(Duration connect, Duration response, Duration idle) {
      this(connect, response, idle, null);
    }
  }

  /**
   * Active health check: {@code GET path} on each member every {@code interval}.
   *
   * @param path request path (default {@code /})
   * @param interval time between probes (default 10s)
   * @param timeout probe timeout (default 2s)
   * @param healthyThreshold consecutive successes that mark a member healthy (default 2)
   * @param unhealthyThreshold consecutive failures that mark a member unhealthy (default 3)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HealthCheck(String path, Duration interval, Duration timeout, Integer healthyThreshold,
      Integer unhealthyThreshold) {
    public HealthCheck {
      path = path == null ? "/" : path;
      interval = interval == null ? Duration.ofSeconds(10) : interval;
      timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
      healthyThreshold = healthyThreshold == null ? 2 : healthyThreshold;
      unhealthyThreshold = unhealthyThreshold == null ? 3 : unhealthyThreshold;
    }
  }

  /**
   * Passive outlier detection: a member failing {@code consecutiveFailures} times in a row is
   * ejected for {@code baseEjection} times the number of its ejections so far (at most 10 times).
   *
   * @param consecutiveFailures failures in a row that eject (default 5)
   * @param baseEjection first ejection time (default 30s)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OutlierDetection(Integer consecutiveFailures, Duration baseEjection) {
    public OutlierDetection {
      consecutiveFailures = consecutiveFailures == null ? 5 : consecutiveFailures;
      baseEjection = baseEjection == null ? Duration.ofSeconds(30) : baseEjection;
    }
  }

  /**
   * Circuit breaker over the last {@code window} calls of a backend.
   *
   * @param failureRateThreshold percentage of failed calls that opens the breaker (default 50)
   * @param slowCallRateThreshold percentage of slow calls that opens the breaker (default 100)
   * @param slowCallDuration calls slower than this are slow (default 60s)
   * @param minimumCalls calls needed before rates are evaluated (default 10)
   * @param window number of recent calls evaluated (default 100)
   * @param openDuration time the breaker stays open before probing (default 30s)
   * @param halfOpenCalls probe calls let through while half-open (default 3)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CircuitBreaker(Integer failureRateThreshold, Integer slowCallRateThreshold,
      Duration slowCallDuration, Integer minimumCalls, Integer window, Duration openDuration,
      Integer halfOpenCalls) {
    public CircuitBreaker {
      failureRateThreshold = failureRateThreshold == null ? 50 : failureRateThreshold;
      slowCallRateThreshold = slowCallRateThreshold == null ? 100 : slowCallRateThreshold;
      slowCallDuration = slowCallDuration == null ? Duration.ofSeconds(60) : slowCallDuration;
      minimumCalls = minimumCalls == null ? 10 : minimumCalls;
      window = window == null ? 100 : window;
      openDuration = openDuration == null ? Duration.ofSeconds(30) : openDuration;
      halfOpenCalls = halfOpenCalls == null ? 3 : halfOpenCalls;
    }
  }

  /**
   * Retries of failed calls before any response byte reached the client.
   *
   * @param count retries after the first attempt (default 2)
   * @param methods methods that may be retried (default the idempotent GET, HEAD, OPTIONS, PUT,
   *     DELETE, TRACE)
   * @param budgetRatio retries allowed per request over a 10 s window (default 0.2)
   * @param backoff pause before each retry (default 25ms)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Retry(Integer count, List<String> methods, Double budgetRatio, Duration backoff) {
    /** The methods retried by default. */
    public static final List<String> IDEMPOTENT = List.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    public Retry {
      count = count == null ? 2 : count;
      methods = methods == null ? IDEMPOTENT : List.copyOf(methods);
      budgetRatio = budgetRatio == null ? 0.2 : budgetRatio;
      backoff = backoff == null ? Duration.ofMillis(25) : backoff;
    }
  }

  /**
   * TLS towards {@code https} members.
   *
   * @param verify verify the certificate chain and host name (default true; {@code false} is
   *     logged as a warning)
   * @param caFile PEM file of trusted CA certificates (default: the JVM trust store)
   * @param caPem inline PEM of trusted CA certificates
   * @param pins accepted SHA-256 hashes (base64) of the peer's SubjectPublicKeyInfo or certificate;
   *     when given, a peer certificate must match one of them
   * @param clientCert PEM file of the client certificate chain for mutual TLS
   * @param clientKey PEM file of the client private key for mutual TLS
   * @param serverName SNI and verified host name overriding the URL's host
   * @param clientCertificate name of an uploaded certificate (usage {@code client}) presented for
   *     mutual TLS, instead of {@code clientCert}/{@code clientKey}
   * @param caCertificate name of an uploaded CA bundle (usage {@code ca}) to trust, instead of
   *     {@code caFile}/{@code caPem}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Tls(Boolean verify, String caFile, String caPem, List<String> pins, String clientCert,
      String clientKey, String serverName, String clientCertificate, String caCertificate) {
    public Tls {
      verify = verify == null ? Boolean.TRUE : verify;
      pins = pins == null ? null : List.copyOf(pins);
    }

    /** TLS settings without uploaded certificates. */
    public Tls(Boolean verify, String caFile, String caPem, List<String> pins, String clientCert,
        String clientKey, String serverName) {
      this(verify, caFile, caPem, pins, clientCert, clientKey, serverName, null, null);
    }
  }

  /**
   * Credentials the gateway adds to every call to a backend (and to its health checks); values
   * normally name a secret named value ({@code ${nv:NAME}}), substituted when the snapshot is
   * compiled. A client certificate for mutual TLS is set under {@code tls} ({@code clientCert},
   * {@code clientKey}). {@code basic} and {@code oauth2} both set {@code Authorization}, so at most
   * one of them is allowed.
   *
   * @param basic HTTP basic authentication, or {@code null}
   * @param header a header set on every call (replacing the client's), or {@code null}
   * @param query a query parameter added to every call (replacing the client's), or {@code null}
   * @param oauth2 an OAuth 2.0 client-credentials grant whose access token is sent as {@code
   *     Authorization: Bearer}, or {@code null}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Credentials(Basic basic, Parameter header, Parameter query, OAuth2 oauth2) {}

  /**
   * HTTP basic authentication (RFC 7617, UTF-8).
   *
   * @param username user name (must not contain ':')
   * @param password password, normally {@code ${nv:NAME}}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Basic(String username, String password) {
    @Override
    public String toString() {
      return "Basic[username=" + username + ", password=***]";
    }
  }

  /**
   * A header or query parameter and its value.
   *
   * @param name header or parameter name
   * @param value its value, normally {@code ${nv:NAME}}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Parameter(String name, String value) {
    @Override
    public String toString() {
      return "Parameter[name=" + name + ", value=***]";
    }
  }

  /**
   * An OAuth 2.0 client-credentials grant (RFC 6749 section 4.4): the gateway fetches an access
   * token from {@code tokenUrl}, caches it, refreshes it before it expires and sends it as {@code
   * Authorization: Bearer}.
   *
   * @param tokenUrl the token endpoint ({@code https://} normally; TLS is always verified)
   * @param clientId client identifier
   * @param clientSecret client secret, normally {@code ${nv:NAME}}
   * @param scope space-separated scopes to ask for, or {@code null}
   * @param audience {@code audience} parameter some servers require, or {@code null}
   * @param clientAuth {@code basic} (default: HTTP basic, RFC 6749 section 2.3.1) or {@code post}
   *     (client_id and client_secret in the form body)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OAuth2(String tokenUrl, String clientId, String clientSecret, String scope, String audience,
      String clientAuth) {
    /** The client authentication methods. */
    public static final List<String> CLIENT_AUTH = List.of("basic", "post");

    /** The client authentication method, {@code basic} by default. */
    public String clientAuthMethod() {
      return clientAuth == null ? "basic" : clientAuth;
    }

    @Override
    public String toString() {
      return "OAuth2[tokenUrl=" + tokenUrl + ", clientId=" + clientId + ", clientSecret=***, scope=" + scope
          + ", audience=" + audience + ", clientAuth=" + clientAuth + "]";
    }
  }
}
