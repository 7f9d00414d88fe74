package io.gatehouse.gateway.internal;

import java.net.URI;
import java.time.Duration;

/** A backend's base URL taken apart once, ready to build forwarded requests from. */
record CompiledBackend(String name, boolean ssl, String host, int port, String basePath,
    String hostHeader, long timeoutMillis) {

  static CompiledBackend of(String name, String url, Duration timeout) {
    URI uri = URI.create(url);
    boolean ssl = "https".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : (ssl ? 443 : 80);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    boolean defaultPort = uri.getPort() < 0 || (ssl && port == 443) || (!ssl && port == 80);
    String host = uri.getHost();
    String hostHeader = defaultPort ? host : host + ":" + port;
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new CompiledBackend(name, ssl, host, port, path, hostHeader, timeout.toMillis());
  }
}
