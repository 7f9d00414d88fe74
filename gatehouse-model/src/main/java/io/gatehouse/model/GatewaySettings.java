package io.gatehouse.model;

import static io.gatehouse.model.internal.Lists.copy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;

/**
 * Gateway-wide settings: request limits, timeouts, trusted proxies and response header hygiene.
 *
 * @param trustedProxies CIDR ranges whose {@code X-Forwarded-*} and {@code Forwarded} headers are
 *     believed; from anyone else they are replaced
 * @param maxHeaderSize the largest request head accepted, in bytes (431 beyond)
 * @param maxBodySize the largest request body accepted, in bytes (413 beyond)
 * @param requestTimeout the longest a client may take to send its request
 * @param backendTimeout the longest the gateway waits for a backend's response head (504 beyond)
 * @param stripResponseHeaders backend response headers removed before the client sees them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatewaySettings(
    List<String> trustedProxies,
    Integer maxHeaderSize,
    Long maxBodySize,
    Duration requestTimeout,
    Duration backendTimeout,
    List<String> stripResponseHeaders) {

  /** The defaults: no trusted proxies, 16 KiB heads, 10 MiB bodies, 60 s / 30 s timeouts. */
  public static final GatewaySettings DEFAULTS =
      new GatewaySettings(null, null, null, null, null, null);

  public GatewaySettings {
    trustedProxies = copy(trustedProxies);
    maxHeaderSize = maxHeaderSize == null ? 16 * 1024 : maxHeaderSize;
    maxBodySize = maxBodySize == null ? 10L * 1024 * 1024 : maxBodySize;
    requestTimeout = requestTimeout == null ? Duration.ofSeconds(60) : requestTimeout;
    backendTimeout = backendTimeout == null ? Duration.ofSeconds(30) : backendTimeout;
    stripResponseHeaders =
        stripResponseHeaders == null
            ? List.of("Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version")
            : List.copyOf(stripResponseHeaders);
  }
}
