package io.gatehouse.model;

import static io.gatehouse.model.internal.Lists.copy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;

/**
 * Gateway-wide settings that take effect on reload: body limit, backend timeout, trusted proxies
 * and response header hygiene. Listener settings (ports, header size, client timeout, TLS) are
 * command-line options because they need a restart.
 *
 * @param trustedProxies CIDR ranges whose {@code X-Forwarded-*} and {@code Forwarded} headers are
 *     believed; from anyone else they are replaced
 * @param maxBodySize the largest request body accepted, in bytes (413 beyond)
 * @param backendTimeout the longest the gateway waits for a backend's response head (504 beyond)
 * @param stripResponseHeaders backend response headers removed before the client sees them
 * @param allowUnderscoresInHeaders whether request header names containing {@code _} are forwarded
 *     (default {@code false}: dropped, as CGI-style backends read {@code X_Forwarded_For} as
 *     {@code X-Forwarded-For})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatewaySettings(
    List<String> trustedProxies,
    Long maxBodySize,
    Duration backendTimeout,
    List<String> stripResponseHeaders,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean allowUnderscoresInHeaders) {

  /** The defaults: no trusted proxies, 10 MiB bodies, 30 s backend timeout, no underscores in header names. */
  public static final GatewaySettings DEFAULTS = new GatewaySettings(null, null, null, null, null);

  public GatewaySettings {
    trustedProxies = copy(trustedProxies);
    maxBodySize = maxBodySize == null ? 10L * 1024 * 1024 : maxBodySize;
    backendTimeout = backendTimeout == null ? Duration.ofSeconds(30) : backendTimeout;
    stripResponseHeaders =
        stripResponseHeaders == null
            ? List.of("Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version")
            : List.copyOf(stripResponseHeaders);
    allowUnderscoresInHeaders = allowUnderscoresInHeaders != null && allowUnderscoresInHeaders;
  }
}
