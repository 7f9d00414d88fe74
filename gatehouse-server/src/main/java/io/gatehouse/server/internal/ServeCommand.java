package io.gatehouse.server.internal;

import io.gatehouse.control.AdminTokens;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.ManagementOptions;
import io.gatehouse.control.ManagementServer;
import io.gatehouse.control.security.OidcSettings;
import io.gatehouse.control.secrets.ReferenceAllowlist;
import io.gatehouse.control.secrets.References;
import io.gatehouse.control.secrets.Secrets;
import io.gatehouse.control.analytics.AnalyticsRetention;
import io.gatehouse.gateway.accesslog.AccessLogOptions;
import io.gatehouse.gateway.ConfigCheck;
import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gatehouse serve}: runs the gateway and the management API over the embedded store. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the gateway and the management API.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:started (the process then runs until SIGTERM or Ctrl-C)",
        "2:bad options, or the --config file is missing or unreadable",
        "3:the --config file is not a valid configuration, or cannot be served",
        "4:a port is already in use or another server holds the data directory (nothing was created or changed),"
            + " or the data directory cannot be used"},
    footer = {"GATEHOUSE_DATABASE:sets --database (a password reference in it is resolved by Gatehouse)",
        "GATEHOUSE_REDIS:sets --redis (a password reference in it is resolved by Gatehouse)",
        "GATEHOUSE_ADMIN_TOKEN:the admin token (16 or more characters) instead of a generated one",
        "GATEHOUSE_MASTER_KEY:the master key, Base64 of 32 bytes, instead of DATA/master.key",
        "GATEHOUSE_PKCS11_CONFIG:a SunPKCS11 configuration: the master key in a PKCS#11 token",
        "GATEHOUSE_PKCS11_PIN:the token's PIN", "GATEHOUSE_PKCS11_KEY_LABEL:the key's label (default gatehouse-master)",
        "GATEHOUSE_TLS_PASSWORD:the password of PKCS#12 files given to --tls-cert",
        "GATEHOUSE_JAVA_OPTS:JVM options, read by the gatehouse launcher",
        "GATEHOUSE_CDS:off turns class-data sharing off in the gatehouse launcher"})
public final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  /** Hybrid mode: this node's role, its control plane, its node listener (see {@link RoleOptions}). */
  @Mixin
  RoleOptions role = new RoleOptions();

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "${env:GATEHOUSE_CONFIG}",
      description = "Declarative configuration file; it becomes the source of truth and is reloaded on change (env GATEHOUSE_CONFIG).")
  Path config;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:GATEHOUSE_DATA:-data}",
      description = "Data directory (env GATEHOUSE_DATA, default ./data of the working directory).")
  Path data;

  // no picocli default from the environment: picocli would expand the ${env:} of a password reference itself
  @Option(names = DatabaseOption.FLAG, paramLabel = "URL",
      description = "Keep the control plane's state in PostgreSQL: postgresql://USER:PASSWORD@HOST:PORT/DB[?sslmode=verify-full"
          + "&sslrootcert=CA.pem]; the password may be $${env:NAME} or $${file:PATH} (env GATEHOUSE_DATABASE;"
          + " default: SQLite in the data directory).")
  String database;

  @Option(names = "--gateway-host", paramLabel = "HOST", defaultValue = "${env:GATEHOUSE_GATEWAY_HOST:-0.0.0.0}",
      description = "Gateway bind address (env GATEHOUSE_GATEWAY_HOST, default 0.0.0.0).")
  String gatewayHost;

  @Option(names = "--gateway-port", paramLabel = "PORT", defaultValue = "${env:GATEHOUSE_GATEWAY_PORT:-8080}",
      description = "Gateway HTTP port (env GATEHOUSE_GATEWAY_PORT, default 8080).")
  int gatewayPort;

  @Option(names = "--https-port", paramLabel = "PORT", defaultValue = "${env:GATEHOUSE_HTTPS_PORT:-8443}",
      description = "Gateway HTTPS port, used when certificates are given by --tls-cert or uploaded (env GATEHOUSE_HTTPS_PORT, default 8443).")
  int httpsPort;

  @Option(names = "--tls-cert", paramLabel = "CERT.pem[,KEY.pem]|STORE.p12",
      description = "Server certificate: a PEM chain and key as CERT,KEY, or a PKCS#12 file (password from GATEHOUSE_TLS_PASSWORD). Repeat for SNI.")
  List<String> tlsCerts = new ArrayList<>();

  @Option(names = "--tls-client-certificates", defaultValue = "${env:GATEHOUSE_TLS_CLIENT_CERTIFICATES:-false}",
      description = "Ask HTTPS clients for a certificate, for APIs that use validate-client-certificate"
          + " (env GATEHOUSE_TLS_CLIENT_CERTIFICATES). TLS accepts any certificate; the policy judges it.")
  boolean tlsClientAuth;

  @Option(names = "--management-host", paramLabel = "HOST", defaultValue = "${env:GATEHOUSE_MANAGEMENT_HOST:-127.0.0.1}",
      description = "Management API bind address (env GATEHOUSE_MANAGEMENT_HOST, default 127.0.0.1).")
  String managementHost;

  @Option(names = "--management-port", paramLabel = "PORT", defaultValue = "${env:GATEHOUSE_MANAGEMENT_PORT:-8001}",
      description = "Management API port (env GATEHOUSE_MANAGEMENT_PORT, default 8001).")
  int managementPort;

  @Option(names = "--allow-remote-management", defaultValue = "${env:GATEHOUSE_ALLOW_REMOTE_MANAGEMENT:-false}",
      description = "Permit a non-loopback management address; requires --management-tls-cert (env GATEHOUSE_ALLOW_REMOTE_MANAGEMENT).")
  boolean allowRemoteManagement;

  // ---- management listener security (identity/RBAC/audit) ----
  @Option(names = "--management-tls-cert", paramLabel = "CERT.pem,KEY.pem",
      defaultValue = "${env:GATEHOUSE_MANAGEMENT_TLS_CERT}",
      description = "Serve the management API over HTTPS with this PEM chain and key (env GATEHOUSE_MANAGEMENT_TLS_CERT).")
  String managementTlsCert;

  @Option(names = "--management-allow", paramLabel = "CIDR", split = ",",
      description = "Only these client networks may reach the management API (repeat or comma-separate; default: all).")
  List<String> managementAllow = new ArrayList<>();

  @Option(names = "--allowed-backend-networks", paramLabel = "CIDR", split = ",",
      defaultValue = "${env:GATEHOUSE_ALLOWED_BACKEND_NETWORKS}",
      description = "Loopback, link-local or unspecified networks the gateway may send traffic to (repeat or"
          + " comma-separate; default: none; its own listeners never) (env GATEHOUSE_ALLOWED_BACKEND_NETWORKS).")
  List<String> allowedBackendNetworks = new ArrayList<>();

  @Option(names = "--mgmt-oidc-issuer", paramLabel = "URL", defaultValue = "${env:GATEHOUSE_MGMT_OIDC_ISSUER}",
      description = "Accept OIDC bearer JWTs from this issuer on the management API (env GATEHOUSE_MGMT_OIDC_ISSUER).")
  String oidcIssuer;

  @Option(names = "--mgmt-oidc-audience", paramLabel = "AUDIENCE", defaultValue = "${env:GATEHOUSE_MGMT_OIDC_AUDIENCE}",
      description = "Required audience of management OIDC JWTs (env GATEHOUSE_MGMT_OIDC_AUDIENCE).")
  String oidcAudience;

  @Option(names = "--mgmt-oidc-jwks-url", paramLabel = "URL", defaultValue = "${env:GATEHOUSE_MGMT_OIDC_JWKS_URL}",
      description = "JWKS URL of the management OIDC issuer (env GATEHOUSE_MGMT_OIDC_JWKS_URL).")
  String oidcJwksUrl;

  @Option(names = "--mgmt-oidc-roles-claim", paramLabel = "CLAIM", defaultValue = "${env:GATEHOUSE_MGMT_OIDC_ROLES_CLAIM:-roles}",
      description = "Claim holding the caller's roles or groups (env GATEHOUSE_MGMT_OIDC_ROLES_CLAIM, default roles).")
  String oidcRolesClaim;

  @Option(names = "--mgmt-oidc-role-map", paramLabel = "VALUE=ROLE[+ROLE],...",
      defaultValue = "${env:GATEHOUSE_MGMT_OIDC_ROLE_MAP}",
      description = "Map claim values to roles, e.g. gh-admins=admin,gh-ops=operator+auditor; without it claim values are role names.")
  String oidcRoleMap;

  @Option(names = "--max-header-size", paramLabel = "BYTES", defaultValue = "${env:GATEHOUSE_MAX_HEADER_SIZE:-16384}",
      description = "Largest request head in bytes; larger heads get 431 (default 16384).")
  int maxHeaderSize;

  @Option(names = "--max-connections", paramLabel = "COUNT", defaultValue = "${env:GATEHOUSE_MAX_CONNECTIONS:-10000}",
      description = "Most client connections open at once on the gateway listeners; more are closed at accept"
          + " (env GATEHOUSE_MAX_CONNECTIONS, default 10000).")
  int maxConnections;

  @Option(names = "--max-connections-per-address", paramLabel = "COUNT", defaultValue = "${env:GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS:-256}",
      description = "Most gateway connections open at once from one client IP address; more are closed at accept"
          + " (env GATEHOUSE_MAX_CONNECTIONS_PER_ADDRESS, default 256).")
  int maxConnectionsPerAddress;

  @Option(names = "--request-head-timeout", paramLabel = "DURATION", defaultValue = "${env:GATEHOUSE_REQUEST_HEAD_TIMEOUT:-10s}", converter = DurationConverter.class,
      description = "The whole request head must arrive within this; else 408 (env GATEHOUSE_REQUEST_HEAD_TIMEOUT,"
          + " default 10s).")
  Duration requestHeadTimeout;

  @Option(names = "--body-idle-timeout", paramLabel = "DURATION", defaultValue = "${env:GATEHOUSE_BODY_IDLE_TIMEOUT:-30s}", converter = DurationConverter.class,
      description = "Longest pause while a request body is received (env GATEHOUSE_BODY_IDLE_TIMEOUT, default 30s).")
  Duration bodyIdleTimeout;

  @Option(names = "--keep-alive-timeout", paramLabel = "DURATION", defaultValue = "${env:GATEHOUSE_KEEP_ALIVE_TIMEOUT:-60s}", converter = DurationConverter.class,
      description = "How long an idle HTTP/1.1 connection waits for its next request"
          + " (env GATEHOUSE_KEEP_ALIVE_TIMEOUT, default 60s).")
  Duration keepAliveTimeout;

  @Option(names = "--client-idle-timeout", paramLabel = "DURATION", defaultValue = "${env:GATEHOUSE_CLIENT_IDLE_TIMEOUT:-60s}", converter = DurationConverter.class,
      description = "Longest time without any byte read or written on a client connection, HTTP/2 and WebSocket"
          + " included (env GATEHOUSE_CLIENT_IDLE_TIMEOUT, default 60s).")
  Duration clientIdleTimeout;

  @Option(names = "--linger-timeout", paramLabel = "DURATION", defaultValue = "${env:GATEHOUSE_LINGER_TIMEOUT:-5s}", converter = DurationConverter.class,
      description = "After an early rejection, how long the client's further input is read and discarded before the"
          + " connection closes (env GATEHOUSE_LINGER_TIMEOUT, default 5s; 0s closes at once).")
  Duration lingerTimeout;

  @Option(names = "--linger-bytes", paramLabel = "BYTES", defaultValue = "${env:GATEHOUSE_LINGER_BYTES:-65536}",
      description = "Most bytes discarded while lingering (env GATEHOUSE_LINGER_BYTES, default 65536).")
  int lingerBytes;

  @Option(names = "--h2-max-concurrent-streams", paramLabel = "COUNT", defaultValue = "${env:GATEHOUSE_H2_MAX_CONCURRENT_STREAMS:-100}",
      description = "Concurrent streams per HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS, 1..65535,"
          + " env GATEHOUSE_H2_MAX_CONCURRENT_STREAMS, default 100); streams beyond are refused.")
  int h2MaxConcurrentStreams;

  @Option(names = "--transport", paramLabel = "native|nio", defaultValue = "${env:GATEHOUSE_TRANSPORT:-native}",
      description = "Event-loop transport (env GATEHOUSE_TRANSPORT): native (epoll on Linux x86-64, NIO where it"
          + " does not load; the default) or nio. The one in use is logged at start.")
  String transport;

  @Option(names = "--tls-engine", paramLabel = "openssl|jdk", defaultValue = "${env:GATEHOUSE_TLS_ENGINE:-openssl}",
      description = "TLS implementation of the gateway's HTTPS listener (env GATEHOUSE_TLS_ENGINE): openssl"
          + " (BoringSSL, Linux x86-64; the JDK's where it does not load; the default) or jdk. Same protocols and"
          + " cipher suites either way.")
  String tlsEngine;

  @Option(names = "--h2c", defaultValue = "${env:GATEHOUSE_H2C:-false}",
      description = "Also speak cleartext HTTP/2 on the plain gateway port (env GATEHOUSE_H2C). The first read of each"
          + " connection then bypasses strict HTTP/1.1 validation: use only behind a trusted proxy.")
  boolean h2c;

  @Option(names = "--drain-period", paramLabel = "DURATION", defaultValue = "${env:GATEHOUSE_DRAIN_PERIOD:-5s}", converter = DurationConverter.class,
      description = "At shutdown (SIGTERM), how long the readiness probes answer 503 while requests are still served"
          + " before the listeners close, e.g. 5s or 30s (env GATEHOUSE_DRAIN_PERIOD, default 5s).")
  Duration drainPeriod;

  @Option(names = "--reference-refresh", paramLabel = "DURATION", defaultValue = "${env:GATEHOUSE_REFERENCE_REFRESH:-60s}", converter = DurationConverter.class,
      description = "How often reference named values (env:, file:, vault:) are re-read, e.g. 60s or 10m (default 60s).")
  Duration referenceRefresh;

  @Option(names = "--reference-allow", paramLabel = "LIST", defaultValue = "${env:GATEHOUSE_REFERENCE_ALLOW}",
      description = "The file: and env: references named values may read, comma-separated: file:/DIR/ or file:/FILE,"
          + " env:NAME, env:PREFIX* (env GATEHOUSE_REFERENCE_ALLOW; default none: no file: or env: references)."
          + " The data directory, GATEHOUSE_* and VAULT_* are never readable.")
  String referenceAllow;

  // ---- developer portal ----
  @Option(names = "--portal-host", paramLabel = "HOST", defaultValue = "${env:GATEHOUSE_PORTAL_HOST:-0.0.0.0}",
      description = "Developer portal bind address (env GATEHOUSE_PORTAL_HOST, default 0.0.0.0).")
  String portalHost;

  @Option(names = "--portal-port", paramLabel = "PORT", defaultValue = "${env:GATEHOUSE_PORTAL_PORT:-8002}",
      description = "Developer portal port (env GATEHOUSE_PORTAL_PORT, default 8002).")
  int portalPort;

  @Option(names = "--portal-tls-cert", paramLabel = "CERT.pem,KEY.pem", defaultValue = "${env:GATEHOUSE_PORTAL_TLS_CERT}",
      description = "Serve the developer portal over HTTPS with this PEM chain and key (env GATEHOUSE_PORTAL_TLS_CERT).")
  String portalTlsCert;

  @Option(names = "--portal-public-url", paramLabel = "URL", defaultValue = "${env:GATEHOUSE_PORTAL_PUBLIC_URL}",
      description = "The portal's URL as browsers reach it, such as https://developer.example.com: the only origin"
          + " its forms are accepted from, and the origin the gateway answers CORS for (env"
          + " GATEHOUSE_PORTAL_PUBLIC_URL; default http(s)://localhost:PORT).")
  String portalPublicUrl;

  @Option(names = "--gateway-public-url", paramLabel = "URL", defaultValue = "${env:GATEHOUSE_GATEWAY_PUBLIC_URL}",
      description = "The gateway's URL as the portal's users reach it, for the API reference and Try it (env"
          + " GATEHOUSE_GATEWAY_PUBLIC_URL; default http://localhost:GATEWAY_PORT).")
  String gatewayPublicUrl;

  @Option(names = "--no-portal", defaultValue = "${env:GATEHOUSE_NO_PORTAL:-false}",
      description = "Do not start the developer portal (env GATEHOUSE_NO_PORTAL).")
  boolean noPortal;

  @Option(names = "--portal-developer-approval", defaultValue = "${env:GATEHOUSE_PORTAL_DEVELOPER_APPROVAL:-false}",
      description = "New developers wait for an operator's approval before they can sign in"
          + " (env GATEHOUSE_PORTAL_DEVELOPER_APPROVAL).")
  boolean portalDeveloperApproval;

  @Option(names = "--portal-oidc-issuer", paramLabel = "URL", defaultValue = "${env:GATEHOUSE_PORTAL_OIDC_ISSUER}",
      description = "Let developers sign in to the portal with this OpenID provider (authorization code with PKCE;"
          + " endpoints from its discovery document), beside email and password (env GATEHOUSE_PORTAL_OIDC_ISSUER).")
  String portalOidcIssuer;

  @Option(names = "--portal-oidc-client-id", paramLabel = "ID", defaultValue = "${env:GATEHOUSE_PORTAL_OIDC_CLIENT_ID}",
      description = "The portal's client id at the OpenID provider (env GATEHOUSE_PORTAL_OIDC_CLIENT_ID).")
  String portalOidcClientId;

  @Option(names = "--portal-oidc-client-secret", paramLabel = "SECRET",
      defaultValue = "${env:GATEHOUSE_PORTAL_OIDC_CLIENT_SECRET}",
      description = "The portal's client secret (env GATEHOUSE_PORTAL_OIDC_CLIENT_SECRET, preferred: a command line"
          + " is visible to other users of the machine); omit for a public client.")
  String portalOidcClientSecret;

  @Option(names = "--smtp-url", paramLabel = "URL", defaultValue = "${env:GATEHOUSE_SMTP_URL}",
      description = "Send the portal's verification and password-reset mail through smtp://[user:password@]host[:port]"
          + " or smtps://...; without it sign-up needs no verification and no reset mail is sent (env GATEHOUSE_SMTP_URL).")
  java.net.URI smtpUrl;

  @Option(names = "--smtp-from", paramLabel = "ADDRESS", defaultValue = "${env:GATEHOUSE_SMTP_FROM}",
      description = "Sender address of portal mail (env GATEHOUSE_SMTP_FROM, default gatehouse-portal@localhost).")
  String smtpFrom;

  @Option(names = "--demo", defaultValue = "${env:GATEHOUSE_DEMO:-false}",
      description = "Register a demo API answered by a built-in mock and print curl commands to try (env GATEHOUSE_DEMO).")
  boolean demo;

  @Option(names = "--alert-webhook", paramLabel = "URL",
      description = "POST every security alert as JSON to this URL, signed with X-Gatehouse-Signature when"
          + " GATEHOUSE_ALERT_WEBHOOK_SECRET is set. Repeatable.")
  List<java.net.URI> alertWebhooks = new ArrayList<>();

  @Option(names = "--alert-webhook-secret", paramLabel = "SECRET", defaultValue = "${env:GATEHOUSE_ALERT_WEBHOOK_SECRET}",
      description = "HMAC-SHA256 key for X-Gatehouse-Signature (prefer env GATEHOUSE_ALERT_WEBHOOK_SECRET).")
  String alertWebhookSecret;

  @Option(names = "--auto-block", paramLabel = "DURATION", defaultValue = "${env:GATEHOUSE_AUTO_BLOCK}", converter = DurationConverter.class,
      description = "Block the client (IP or subscription) of a high-severity security alert for this long, e.g. 10m"
          + " (env GATEHOUSE_AUTO_BLOCK; default off).")
  Duration autoBlock;

  @Option(names = "--threat-learning-period", paramLabel = "DURATION",
      defaultValue = "${env:GATEHOUSE_THREAT_LEARNING_PERIOD:-10m}", converter = DurationConverter.class,
      description = "How long the baseline detectors (traffic-spike, large-response, unseen-parameter) observe an API's"
          + " or endpoint's traffic before they may alert, e.g. 10m or 1h (env GATEHOUSE_THREAT_LEARNING_PERIOD,"
          + " default 10m; 0s alerts after the count-based warm-ups alone).")
  Duration threatLearningPeriod;

  @Option(names = "--auto-block-allow", paramLabel = "IDENTITY",
      description = "Never auto-block this identity: ip:ADDRESS or subscription:NAME. Repeatable.")
  List<String> autoBlockAllow = new ArrayList<>();

  @Option(names = "--sample-rate", paramLabel = "RATIO", defaultValue = "${env:GATEHOUSE_SAMPLE_RATE:-0.01}",
      description = "Share of forwarded requests whose bodies are sampled and scanned for sensitive data, 0 to 1"
          + " (env GATEHOUSE_SAMPLE_RATE, default 0.01; 0 turns sampling off).")
  double sampleRate;

  @Option(names = "--sample-max-bytes", paramLabel = "BYTES", defaultValue = "${env:GATEHOUSE_SAMPLE_MAX_BYTES:-8192}",
      description = "Bytes of each request and response body copied into a sample (env GATEHOUSE_SAMPLE_MAX_BYTES,"
          + " default 8192).")
  int sampleMaxBytes;
  // ---- observability (access log, metrics, analytics) ----
  @Option(names = "--access-log", paramLabel = "FILE", defaultValue = "${env:GATEHOUSE_ACCESS_LOG}",
      description = "Write the access log (one JSON line per request) to FILE, rotated daily and by size, instead of"
          + " standard output (env GATEHOUSE_ACCESS_LOG).")
  Path accessLogFile;

  @Option(names = "--no-access-log", defaultValue = "${env:GATEHOUSE_NO_ACCESS_LOG:-false}",
      description = "Write no access log (env GATEHOUSE_NO_ACCESS_LOG).")
  boolean noAccessLog;

  @Option(names = "--access-log-max-size", paramLabel = "SIZE", defaultValue = "100MB",
      description = "Roll the access log file when it exceeds SIZE (such as 100MB; default 100MB).")
  String accessLogMaxSize;

  @Option(names = "--access-log-max-history", paramLabel = "DAYS", defaultValue = "14",
      description = "Keep rolled access log files this many days (default 14).")
  int accessLogMaxHistory;

  @Option(names = "--access-log-total-size-cap", paramLabel = "SIZE", defaultValue = "5GB",
      description = "Delete the oldest rolled access log files beyond SIZE in all (default 5GB; 0 for no cap).")
  String accessLogTotalCap;

  @Option(names = "--no-metrics", defaultValue = "${env:GATEHOUSE_NO_METRICS:-false}",
      description = "Collect no metrics and serve no GET /metrics (env GATEHOUSE_NO_METRICS).")
  boolean noMetrics;

  @Option(names = "--metrics-public", defaultValue = "${env:GATEHOUSE_METRICS_PUBLIC:-false}",
      description = "Serve GET /metrics on the management listener without a bearer token (env GATEHOUSE_METRICS_PUBLIC).")
  boolean metricsPublic;

  @Option(names = "--no-console", defaultValue = "${env:GATEHOUSE_NO_CONSOLE:-false}",
      description = "Serve no admin console at /console/ on the management listener (env GATEHOUSE_NO_CONSOLE).")
  boolean noConsole;

  @Option(names = "--no-analytics", defaultValue = "${env:GATEHOUSE_NO_ANALYTICS:-false}",
      description = "Record no traffic analytics (env GATEHOUSE_NO_ANALYTICS).")
  boolean noAnalytics;

  @Option(names = "--analytics-retention", paramLabel = "MIN,HOUR,DAY", defaultValue = "7d,90d,730d",
      description = "Days to keep minute, hour and day analytics (default 7d,90d,730d).")
  String analyticsRetention;

  @Option(names = "--analytics-flush-interval", paramLabel = "MILLIS", defaultValue = "5000", hidden = true,
      description = "How often aggregated analytics are written (default 5000 ms).")
  long analyticsFlushMillis;

  @Option(names = "--otlp-endpoint", paramLabel = "URL", defaultValue = "${env:GATEHOUSE_OTLP_ENDPOINT}",
      description = "Trace requests with OpenTelemetry and export spans with OTLP/HTTP to URL, such as"
          + " http://localhost:4318 (env GATEHOUSE_OTLP_ENDPOINT). Without it no spans are made.")
  String otlpEndpoint;

  @Option(names = "--trace-sampling", paramLabel = "RATIO", defaultValue = "${env:GATEHOUSE_TRACE_SAMPLING:-1.0}",
      description = "Share of new traces recorded, 0 to 1 (default 1.0); continued traces follow the caller's flag.")
  double traceSampling;

  /**
   * What a started server holds, for tests that run it in-process; {@code ready} completes once the
   * configured source is served (the gateway's readiness probe answers 200 from then on);
   * {@code portal} is null with {@code --no-portal}.
   */
  public record Running(Vertx vertx, Gateway gateway, ManagementServer management, ControlPlane plane,
      AutoCloseable store, Observability observability, Duration drainPeriod,
      java.util.concurrent.CompletableFuture<Void> ready, io.gatehouse.portal.PortalServer portal)
      implements AutoCloseable {
    /** Drains (readiness 503 for the drain period, requests still served), then stops everything. */
    @Override
    public void close() throws Exception {
      if (gateway.isReady()) { // a gateway that never said ready has no load balancer to drain from
        try {
          gateway.drain(drainPeriod).toCompletionStage().toCompletableFuture()
              .get(drainPeriod.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          LOG.warn("draining: {}", e.toString());
        }
      }
      observability.close();
      try { // listeners, backend connections, counters and the shared counter store's client
        gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.warn("closing the gateway: {}", e.toString());
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      store.close();
    }
  }

  @picocli.CommandLine.Mixin RedisArgs redis = new RedisArgs();

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (demo && config != null) {
      System.err.println("error: --demo and --config cannot be combined: the file is the source of truth");
      return ExitCodes.USAGE;
    }
    String roleProblem = role.problem(config != null ? "--config" : demo ? "--demo" : null);
    if (roleProblem != null) {
      System.err.println("error: " + roleProblem);
      return ExitCodes.USAGE;
    }
    if (!isLoopback(managementHost) && !allowRemoteManagement) {
      System.err.println("error: the management API stays on loopback unless --allow-remote-management is given"
          + " (requested " + managementHost + ")");
      return ExitCodes.USAGE;
    }
    if (!isLoopback(managementHost) && (managementTlsCert == null || managementTlsCert.isBlank())) {
      System.err.println("error: a non-loopback management address (" + managementHost + ") also requires"
          + " --management-tls-cert CERT.pem,KEY.pem");
      return ExitCodes.USAGE;
    }
    if (!isLoopback(managementHost)) {
      System.err.println("warning: the management API listens on " + managementHost
          + "; restrict who reaches it (--management-allow, firewall)");
    }
    try {
      redis.options(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    try {
      nativeTransport();
      tlsEngine();
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    try {
      connectionLimits();
    } catch (IllegalArgumentException e) {
      System.err.println("error: connection limits: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    try {
      new io.gatehouse.gateway.security.BodySampling.Settings(sampleRate, sampleMaxBytes);
    } catch (IllegalArgumentException e) {
      System.err.println("error: --sample-rate / --sample-max-bytes: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    try {
      GatewayOptions.plain("127.0.0.1", 0).withAllowedBackendNetworks(allowedBackendNetworks());
    } catch (IllegalArgumentException e) {
      System.err.println("error: --allowed-backend-networks: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    GatewayConfig fileConfig = null;
    if (config != null) {
      String unreadable = InputFiles.unreadable(config);
      if (unreadable != null) {
        System.err.println("error: --config: " + unreadable);
        return ExitCodes.USAGE;
      }
      try {
        fileConfig = FileSource.load(config);
      } catch (ConfigFiles.Refused e) {
        e.lines().forEach(System.err::println);
        return e.status();
      }
    }
    try {
      DatabaseOption.parse(database, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + DatabaseOption.FLAG + ": " + e.getMessage());
      return ExitCodes.USAGE;
    }
    // before anything is created in the data directory: a busy port is one line and no state
    String busy = ListenPorts.firstUnavailable(listeners());
    if (busy != null) {
      System.err.println("error: " + busy);
      return ExitCodes.ENVIRONMENT;
    }
    Running running;
    try {
      // its first step: the data directory's lock, or one line and no change
      running = role.gateway() ? startGatewayNode(out) : start(fileConfig, out);
    } catch (io.gatehouse.control.cluster.NodeAgent.StartException e) {
      System.err.println("error: " + e.getMessage());
      return ExitCodes.ENVIRONMENT;
    } catch (DataDirectoryLock.InUse | DatabaseOption.Unreachable e) {
      System.err.println("error: " + e.getMessage());
      return ExitCodes.ENVIRONMENT;
    } catch (ConfigException e) {
      System.err.println("error: the configuration cannot be served:");
      e.problems().forEach(p -> System.err.println("  " + p));
      return ExitCodes.INVALID;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running.close();
      } catch (Exception e) {
        LOG.warn("shutdown: {}", e.toString());
      }
    }, "gatehouse-shutdown"));
    return ExitCodes.OK;
  }

  /** The listeners serve binds at start, with the option that moves each. */
  private List<ListenPorts.Listener> listeners() {
    List<ListenPorts.Listener> out = new ArrayList<>();
    if (!role.control()) {
      out.add(new ListenPorts.Listener("gateway", gatewayHost, gatewayPort, "--gateway-port"));
      if (!tlsCerts.isEmpty()) {
        out.add(new ListenPorts.Listener("gateway HTTPS", gatewayHost, httpsPort, "--https-port"));
      }
    }
    if (role.gateway()) {
      return out;
    }
    out.add(new ListenPorts.Listener("management", managementHost, managementPort, "--management-port"));
    if (role.control()) {
      out.add(new ListenPorts.Listener("node", role.nodeHost, role.nodePort, "--node-port"));
    }
    if (!noPortal) {
      out.add(new ListenPorts.Listener("portal", portalHost, portalPort, "--portal-port"));
    }
    return out;
  }

  private io.gatehouse.gateway.ConnectionLimits connectionLimits() {
    return new io.gatehouse.gateway.ConnectionLimits(maxConnections, maxConnectionsPerAddress, requestHeadTimeout,
        bodyIdleTimeout, keepAliveTimeout, clientIdleTimeout, lingerTimeout, lingerBytes);
  }

  /**
   * Starts a gateway node ({@code --role gateway}) and returns once its listeners run, serving its
   * cached snapshot when it has one; readiness waits for the first snapshot.
   *
   * @throws io.gatehouse.control.cluster.NodeAgent.StartException when it is not enrolled and cannot enrol
   */
  Running startGatewayNode(PrintStream out) throws Exception {
    Observability.Settings o = observabilitySettings();
    return GatewayNode.start(data, gatewayOptions(), new Observability.Settings(o.accessLog(), o.metrics(), o.metricsPublic(),
        o.analytics(), o.retention(), o.analyticsFlush(), o.otlpEndpoint(), o.traceSampling()), role, drainPeriod,
        redis.options(System.getenv()), out, this::eventLoops);
  }

  /**
   * The gateway listeners' options; a control node ({@code --role control}) keeps its gateway on an
   * ephemeral loopback port, without certificates: it checks configurations and is not for traffic.
   */
  private GatewayOptions gatewayOptions() {
    boolean control = role.control();
    return new GatewayOptions(control ? "127.0.0.1" : gatewayHost, control ? 0 : gatewayPort, control ? 0 : httpsPort,
        TlsArgs.parse(control ? List.of() : tlsCerts), maxHeaderSize, connectionLimits(), h2c, data, tlsClientAuth,
        demo ? Demo.allowedBackendNetworks(allowedBackendNetworks()) : allowedBackendNetworks(), null, null)
        .withHttp2(io.gatehouse.gateway.Http2Limits.defaults().withMaxConcurrentStreams(h2MaxConcurrentStreams))
        .withTlsEngine(tlsEngine());
  }

  private io.gatehouse.gateway.TlsEngine tlsEngine() {
    return switch (tlsEngine.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "openssl" -> io.gatehouse.gateway.TlsEngine.OPENSSL;
      case "jdk" -> io.gatehouse.gateway.TlsEngine.JDK;
      default -> throw new IllegalArgumentException("--tls-engine must be openssl or jdk but was '" + tlsEngine + "'");
    };
  }

  private boolean nativeTransport() {
    return switch (transport.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "native" -> true;
      case "nio" -> false;
      default -> throw new IllegalArgumentException("--transport must be native or nio but was '" + transport + "'");
    };
  }

  /** The Vert.x instance of this server, on the transport {@code --transport} asks for. */
  Vertx eventLoops() {
    return io.gatehouse.gateway.EventLoops.create(nativeTransport());
  }

  /**
   * Starts everything and returns the running parts once the configuration is served;
   * {@code fileConfig} is null without --config.
   *
   * @throws ConfigException when {@code fileConfig} cannot be served
   * @throws Exception also when another server holds the data directory (nothing in it was changed)
   */
  public Running start(GatewayConfig fileConfig, PrintStream out) throws Exception {
    Running running = startServing(fileConfig == null ? null : () -> fileConfig, out);
    try {
      running.ready().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      running.close();
      if (e.getCause() instanceof ConfigException c) {
        throw c;
      }
      throw e;
    }
    return running;
  }

  /**
   * Starts the listeners and returns at once; the configuration from {@code fileSource} (null
   * without --config: the stored one) is loaded and applied on a worker thread, and the readiness
   * probes answer 503 until it is served ({@link Running#ready()}).
   */
  Running startServing(java.util.concurrent.Callable<GatewayConfig> fileSource, PrintStream out) throws Exception {
    // one writer per data directory, checked before anything in it is created or changed; held until close
    DataDirectoryLock lock = DataDirectoryLock.acquire(data);
    try {
      return startServing(fileSource, out, lock);
    } catch (Exception | Error e) {
      lock.close();
      throw e;
    }
  }

  private Running startServing(java.util.concurrent.Callable<GatewayConfig> fileSource, PrintStream out,
      DataDirectoryLock lock) throws Exception {
    if (!isLoopback(managementHost)) {
      LOG.warn("management API bound to non-loopback address {}: restrict access to it", managementHost);
    }
    for (io.gatehouse.model.storage.PrivateFiles.Loose loose : io.gatehouse.model.storage.PrivateFiles.looser(data)) {
      LOG.warn("{} has mode {}: other users may read or change it; expected {} (chmod it)", loose.path(), loose.mode(),
          loose.expected());
    }
    io.gatehouse.control.ControlStore store = DatabaseOption.open(database, data, System.getenv());
    Vertx vertx = eventLoops();
    ControlPlane plane = ControlPlane.over(store);

    GatewayOptions options = gatewayOptions();
    if (h2c) {
      LOG.warn("cleartext HTTP/2 (h2c) is on: the first read of each plain connection bypasses strict HTTP/1.1 validation");
    }
    io.gatehouse.gateway.RedisOptions counterServer = redis.options(System.getenv());
    Gateway gateway = await(Gateway.start(vertx, options, Gateway.DEFAULT_EVENT_QUEUE_CAPACITY,
        io.gatehouse.gateway.PolicyClocks.system(), counterServer, DatabaseOption.quotaDatabase(store, counterServer)));
    Observability observability = Observability.attach(gateway, () -> DatabaseOption.analytics(store, data),
        observabilitySettings(), nodeName(gateway.port()));
    // secrets: the gateway sees reference named values resolved (refreshed in the background)
    Secrets secrets = store.secrets();
    gateway.subscriptionKeyHasher(secrets.keyHasher());
    References references = References.create(System.getenv(), ReferenceAllowlist.parse(referenceAllow, data),
        referenceRefresh).start();
    secrets.useReferences(references);
    ControlNode control = ControlNode.start(vertx, store.jdbi(), plane, role);
    // blocked clients: in the database for every server, in each snapshot for every gateway node
    io.gatehouse.control.security.ClientBlockList blocks = DatabaseOption.blocks(store);
    gateway.clientBlocks(blocks::isBlocked);
    control.cluster().shareBlocks(blocks);
    // debug sessions: in the database for every server, in each snapshot (token hashes only) for every gateway node
    io.gatehouse.control.debugging.DebugSessionTable debugSessions = DatabaseOption.debugSessions(store);
    DebugWiring.install(gateway.debugSessions(), debugSessions, nodeName(gateway.port()));
    control.cluster().shareDebugSessions(debugSessions);
    references.onChange(() -> {
      synchronized (plane) {
        gateway.apply(secrets.resolved(plane.config()), plane.revision().id());
        control.cluster().republish();
      }
    });
    // uploaded certificates: served by SNI and used by backends, replaced without restart
    io.gatehouse.control.certificates.CertificateStore certificates = store.certificates();
    CertificateWiring.install(vertx, certificates, plane, gateway, secrets);
    DatabaseOption.followCertificates(vertx, store); // uploads through other servers on the same database
    plane.addValidator(c -> ConfigCheck.problems(secrets.resolved(c), CertificateWiring.forGateway(certificates)));
    plane.onChange(rev -> {
      synchronized (plane) {
        gateway.apply(secrets.resolved(rev.config()), rev.id());
      }
    });
    java.util.concurrent.CompletableFuture<Void> ready = new java.util.concurrent.CompletableFuture<>();
    AutoCloseable feed = () -> { }; // with --config the file is this server's source: other servers' commits are not adopted
    if (fileSource == null) {
      try {
        gateway.apply(secrets.resolved(plane.config()), plane.revision().id());
      } catch (ConfigException e) {
        LOG.error("stored configuration revision {} does not compile; serving nothing until it is fixed: {}",
            plane.revision().id(), e.getMessage());
      }
      gateway.ready();
      ready.complete(null);
      feed = DatabaseOption.feed(store, plane); // after the first apply: what it adopts is newer
    } else {
      // the file is the source: the stored revision is not served; readiness waits for the file
      FileSource.lock(plane, config);
      vertx.<Void>executeBlocking(() -> {
        FileSource.watch(vertx, config, plane, fileSource.call()); // plane.onChange applies it to the gateway
        synchronized (plane) {
          if (gateway.revision() != plane.revision().id()) { // the file held the stored revision: no change
            gateway.apply(secrets.resolved(plane.config()), plane.revision().id());
          }
        }
        return null;
      }, false).onComplete(ar -> {
        if (ar.succeeded()) {
          gateway.ready();
          ready.complete(null);
        } else {
          LOG.error("the configuration from {} cannot be served; readiness stays 503: {}", config,
              ar.cause().getMessage());
          ready.completeExceptionally(ar.cause());
        }
      });
    }
    ManagementServer management = await(ManagementServer.start(vertx, managementOptions(), plane,
        observability.addons(metricsPublic, debugSessions).withCluster(control.cluster())));
    control.heartbeats(vertx, role, displayHost(managementHost) + ":" + management.actualPort());
    gateway.ownListener(managementHost, management.actualPort()); // never a backend, whatever is allowed
    if (!noConsole) {
      // static pages only: the console's scripts call the management API like any client
      management.mountPublic(io.gatehouse.console.Console.PREFIX, io.gatehouse.console.Console.handler());
    }
    // only once every listener runs: a start that fails before leaves no generated token unprinted
    Optional<String> token = AdminTokens.bootstrap(store, data, System.getenv("GATEHOUSE_ADMIN_TOKEN"));

    out.println("Gatehouse is running" + (role.control() ? " as a control node." : "."));
    if (role.control()) {
      out.println("  nodes       https://" + displayHost(role.nodeHost) + ":" + control.listener().actualPort()
          + " (node CA " + control.cluster().caFingerprint() + ")");
    } else {
      out.println("  gateway     http://" + displayHost(gatewayHost) + ":" + gateway.port()
          + (gateway.httpsPort() > 0 ? "  https://" + displayHost(gatewayHost) + ":" + gateway.httpsPort() : ""));
    }
    out.println("  management  " + (managementTlsCert == null || managementTlsCert.isBlank() ? "http" : "https") + "://"
        + displayHost(managementHost) + ":" + management.actualPort());
    if (!noConsole) {
      out.println("  console     " + (managementTlsCert == null || managementTlsCert.isBlank() ? "http" : "https") + "://"
          + displayHost(managementHost) + ":" + management.actualPort() + io.gatehouse.console.Console.PREFIX);
    }
    token.ifPresent(t -> {
      out.println("  admin token " + t);
      out.println("              (shown once; also written to " + data.resolve("admin-token") + ", mode 0600)");
    });
    io.gatehouse.portal.PortalServer portal = null;
    if (!noPortal) {
      io.gatehouse.portal.PortalOptions po = portalOptions(gateway.port());
      portal = await(io.gatehouse.portal.PortalServer.start(vertx, po, plane, management.auditLog(),
          observability.analytics()));
      gateway.ownListener(portalHost, portal.actualPort());
      gateway.portalOrigins(portalOrigins(po, portal.actualPort()));
      out.println("  portal      " + portal.origin() + "/"); // the console's URL is printed above, unless --no-console
    }
    SecurityMonitor security = startSecurity(vertx, plane, gateway, management, certificates, blocks,
        DatabaseOption.discovery(store, nodeName(gateway.port())));
    // gateway nodes' reports: their analytics into this store under each node's name, their requests
    // through this server's discovery and threat detectors (cluster-wide identity counts)
    io.gatehouse.control.analytics.AnalyticsStore analyticsStore = observability.analyticsStore();
    control.cluster().receiveReports((node, report) -> {
      security.observe(node, report); // first: a report whose analytics are visible was seen by the detectors
      if (analyticsStore != null && !report.analytics().isEmpty()) {
        analyticsStore.mergeOnce(node, report.batch(), report.analytics());
      }
      for (io.gatehouse.control.cluster.NodeReport.DebugTrace t : report.traces()) {
        debugSessions.record(t.session(), node, t.trace()); // under the certificate's node name, live sessions only
      }
    });
    if (demo) {
      Demo.install(vertx, plane, gateway, management, data, out);
    } else if (Demo.configured(plane.config())) {
      out.println("  warning: the demo API (/demo) is configured but its mock backend runs only with --demo, so its"
          + " requests answer 502: start with --demo, or delete the demo API, product, subscription and backend");
    }
    AutoCloseable revisionFeed = feed;
    return new Running(vertx, gateway, management, plane, () -> {
      try {
        revisionFeed.close();
        debugSessions.close();
        references.close();
        store.close();
      } finally {
        lock.close(); // last: the next server may start once everything is closed
      }
    }, observability, drainPeriod, ready, portal);
  }

  /** The developer portal's options from the command line; {@code gatewayPort} is the gateway's actual port. */
  io.gatehouse.portal.PortalOptions portalOptions(int gatewayPort) {
    io.gatehouse.portal.PortalOptions o = io.gatehouse.portal.PortalOptions.listen(portalHost, portalPort);
    if (portalTlsCert != null && !portalTlsCert.isBlank()) {
      String[] parts = portalTlsCert.split(",", -1);
      if (parts.length != 2) {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
            "--portal-tls-cert expects CERT.pem,KEY.pem but got '" + portalTlsCert + "'");
      }
      o = o.withTls(Path.of(parts[0].strip()), Path.of(parts[1].strip()));
    }
    String gatewayUrl = gatewayPublicUrl != null && !gatewayPublicUrl.isBlank() ? gatewayPublicUrl
        : "http://" + displayHost(gatewayHost) + ":" + gatewayPort;
    return o.withUrls(portalPublicUrl == null || portalPublicUrl.isBlank() ? null : portalPublicUrl, gatewayUrl)
        .withMail(smtpUrl, smtpFrom)
        .withSignUp(!demo, portalDeveloperApproval && !demo)
        .withOidc(portalOidc());
  }

  /** The portal's OIDC sign-in from the command line, or null when no issuer is given. */
  private io.gatehouse.portal.PortalOidc portalOidc() {
    boolean issuer = portalOidcIssuer != null && !portalOidcIssuer.isBlank();
    boolean client = portalOidcClientId != null && !portalOidcClientId.isBlank();
    if (!issuer && !client) {
      return null;
    }
    if (!issuer || !client) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--portal-oidc-issuer and --portal-oidc-client-id go together; got only " + (issuer
              ? "--portal-oidc-issuer" : "--portal-oidc-client-id"));
    }
    try {
      return new io.gatehouse.portal.PortalOidc(portalOidcIssuer.strip(), portalOidcClientId.strip(),
          portalOidcClientSecret);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
          "--portal-oidc-issuer: " + e.getMessage());
    }
  }

  /** The origins the gateway answers CORS for: the portal's, and its loopback aliases when it has no public URL. */
  private static List<String> portalOrigins(io.gatehouse.portal.PortalOptions po, int port) {
    List<String> out = new ArrayList<>(List.of(io.gatehouse.portal.PortalServer.originOf(po, port)));
    if (po.publicUrl() == null) {
      String scheme = po.tls() ? "https" : "http";
      if (po.host().equals("0.0.0.0") || po.host().equals("::") || isLoopback(po.host())) {
        out.add(scheme + "://127.0.0.1:" + port);
        out.add(scheme + "://localhost:" + port);
      }
    }
    return out.stream().distinct().toList();
  }

  /** The networks given with --allowed-backend-networks, empty when none. */
  private List<String> allowedBackendNetworks() {
    return allowedBackendNetworks == null ? List.of() : allowedBackendNetworks;
  }

  /** The management listener's options from the command line. */
  ManagementOptions managementOptions() {
    ManagementOptions.Builder b = ManagementOptions.builder().listen(managementHost, managementPort).allow(managementAllow);
    if (managementTlsCert != null && !managementTlsCert.isBlank()) {
      String[] parts = managementTlsCert.split(",", -1);
      if (parts.length != 2) {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
            "--management-tls-cert expects CERT.pem,KEY.pem but got '" + managementTlsCert + "'");
      }
      b.tls(Path.of(parts[0].strip()), Path.of(parts[1].strip()));
    }
    boolean anyOidc = oidcIssuer != null || oidcAudience != null || oidcJwksUrl != null;
    if (anyOidc) {
      if (oidcIssuer == null || oidcAudience == null || oidcJwksUrl == null) {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
            "management OIDC needs --mgmt-oidc-issuer, --mgmt-oidc-audience and --mgmt-oidc-jwks-url together");
      }
      b.oidc(new OidcSettings(oidcIssuer, oidcAudience, java.net.URI.create(oidcJwksUrl), oidcRolesClaim,
          OidcSettings.parseRoleMap(oidcRoleMap)));
    }
    return b.build();
  }

  // --- security intelligence (threat detection, discovery, recommendations): see SecurityMonitor
  private SecurityMonitor startSecurity(Vertx vertx, ControlPlane plane, Gateway gateway, ManagementServer management,
      io.gatehouse.control.certificates.CertificateStore certificates,
      io.gatehouse.control.security.ClientBlockList blocks,
      io.gatehouse.control.security.DiscoveredEndpoints discovered) throws Exception {
    io.gatehouse.insight.threat.TemporaryBlocklist blocklist = null;
    if (autoBlock != null) {
      blocklist = new io.gatehouse.insight.threat.TemporaryBlocklist(autoBlock,
          java.util.Set.of("object-enumeration", "brute-force", "injection", "scanning"),
          new java.util.HashSet<>(autoBlockAllow), 100_000);
    }
    // with --redis, brute-force counts are shared by every server of the cluster
    io.gatehouse.gateway.RedisOptions redisOptions = redis.options(System.getenv());
    RedisThreatCounts shared = redisOptions == null ? null : RedisThreatCounts.connect(redisOptions);
    SecurityMonitor security = new SecurityMonitor(plane::config,
        io.gatehouse.insight.threat.ThreatSettings.DEFAULTS.withLearningPeriod(
            threatLearningPeriod), alertWebhooks,
        alertWebhookSecret, blocklist, shared);
    List<io.gatehouse.insight.advisor.RuntimeFacts.Listener> listeners = new ArrayList<>(List.of(
        new io.gatehouse.insight.advisor.RuntimeFacts.Listener("gateway", gatewayHost, gateway.port(), false),
        new io.gatehouse.insight.advisor.RuntimeFacts.Listener("management", managementHost, management.actualPort(),
            managementTlsCert != null && !managementTlsCert.isBlank())));
    if (gateway.httpsPort() > 0) {
      listeners.add(new io.gatehouse.insight.advisor.RuntimeFacts.Listener("gateway", gatewayHost, gateway.httpsPort(),
          true));
    }
    security.listeners(listeners);
    // advisor facts from the stores; certificates from the certificate store and the TLS files
    security.factSources(management.postureFacts(), List.of(() -> CertificateWiring.facts(certificates),
        TlsCertificateFiles.of(tlsCerts, managementTlsCert, System.getenv("GATEHOUSE_TLS_PASSWORD"))));
    AutoCloseable sampling = sampleRate > 0
        ? security.startSampling(new io.gatehouse.gateway.security.BodySampling.Settings(sampleRate, sampleMaxBytes))
        : () -> { };
    gateway.events().subscribe(security);
    AutoCloseable detections = io.gatehouse.gateway.security.InjectionDetections.subscribe(security::detected);
    security.shareBlocks(blocks);
    // servers sharing a PostgreSQL database answer discovery with every server's observations
    AutoCloseable discovery = discovered == null ? () -> { }
        : security.shareDiscovery(discovered, SecurityMonitor.DISCOVERY_PUBLISH);
    security.mount(management);
    ClientBlocksApi.mount(management, blocks, blocklist != null);
    // the subscription to the process-wide detection stream ends with this server's Vert.x instance
    await(vertx.deployVerticle(new io.vertx.core.AbstractVerticle() {
      @Override
      public void stop() throws Exception {
        detections.close();
        discovery.close();
        blocks.close();
        sampling.close();
        if (shared != null) {
          shared.close();
        }
      }
    }));
    return security;
  }

  /**
   * This server's name in a cluster, which keys its analytics rows: {@code --advertise-address}
   * when given, else the host name and the gateway port.
   */
  private String nodeName(int gatewayPort) {
    if (role.advertiseAddress != null && !role.advertiseAddress.isBlank()) {
      return role.advertiseAddress.strip();
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName() + ":" + gatewayPort;
    } catch (java.net.UnknownHostException e) {
      return "localhost:" + gatewayPort;
    }
  }

  private Observability.Settings observabilitySettings() {
    AccessLogOptions log = null;
    if (!noAccessLog) {
      log = accessLogFile == null ? AccessLogOptions.stdoutOnly()
          : AccessLogOptions.file(accessLogFile).withRotation(size("--access-log-max-size", accessLogMaxSize),
              accessLogMaxHistory, size("--access-log-total-size-cap", accessLogTotalCap));
    }
    return new Observability.Settings(log, !noMetrics, metricsPublic, !noAnalytics,
        AnalyticsRetention.parse(analyticsRetention), Duration.ofMillis(analyticsFlushMillis), otlpEndpoint,
        traceSampling);
  }

  private static long size(String option, String text) {
    try {
      return text.strip().equals("0") ? 0 : ch.qos.logback.core.util.FileSize.valueOf(text.strip()).getSize();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": expected a size such as 100MB but got '" + text + "'", e);
    }
  }

  static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static String displayHost(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
