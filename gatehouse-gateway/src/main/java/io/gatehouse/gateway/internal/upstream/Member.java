package io.gatehouse.gateway.internal.upstream;

import java.net.URI;

/**
 * One pool member: where to connect and its mutable health, ejection and load state. State is
 * guarded by the owning {@link Upstream}'s lock, except {@code outstanding} which is only touched
 * under that lock as well.
 */
public final class Member {
  final String url;
  final boolean ssl;
  final String host;
  final int port;
  final String basePath;
  final String hostHeader;
  final int weight;
  final int priority;
  /** Whether {@code host} is a literal address (its check never needs DNS). */
  final boolean literal;
  /** The address last resolved and checked for this member, or {@code null}; read without the lock. */
  volatile Target target;

  /** A resolved and checked address (or the refusal) with the guard version and expiry it holds for. */
  record Target(io.vertx.core.Future<io.vertx.core.net.SocketAddress> address, int version, long expiresNanos) {}

  boolean healthy = true;
  int healthSuccesses;
  int healthFailures;
  int consecutiveFailures;
  int ejections;
  long ejectedUntilNanos;
  int outstanding;
  long currentWeight;

  Member(String url, int weight, int priority) {
    this.url = url;
    if (io.gatehouse.model.OutboundUrls.userInfoProblem(url) != null) { // a ${nv:} value can bring it
      throw new IllegalArgumentException(io.gatehouse.model.OutboundUrls.userInfoProblem(url));
    }
    URI uri = URI.create(url);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("expected an absolute URL but got '" + url + "'");
    }
    this.ssl = "https".equals(uri.getScheme());
    this.port = uri.getPort() > 0 ? uri.getPort() : (ssl ? 443 : 80);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    this.basePath = path;
    boolean defaultPort = uri.getPort() < 0 || (ssl && port == 443) || (!ssl && port == 80);
    String h = uri.getHost();
    this.hostHeader = defaultPort ? h : h + ":" + port;
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    this.host = h;
    this.literal = io.netty.util.NetUtil.isValidIpV4Address(h) || io.netty.util.NetUtil.isValidIpV6Address(h);
    this.weight = weight;
    this.priority = priority;
  }

  /** The member's base URL as configured (after named-value substitution). */
  public String url() {
    return url;
  }

  /** Whether requests use TLS. */
  public boolean ssl() {
    return ssl;
  }

  /** Host to connect to (IPv6 without brackets). */
  public String host() {
    return host;
  }

  /** Port to connect to. */
  public int port() {
    return port;
  }

  /** Base path without trailing slash, prefixed to every forwarded path. */
  public String basePath() {
    return basePath;
  }

  /** Value of the {@code Host} header sent to this member. */
  public String hostHeader() {
    return hostHeader;
  }

  boolean available(long now) {
    return healthy && ejectedUntilNanos - now <= 0;
  }
}
