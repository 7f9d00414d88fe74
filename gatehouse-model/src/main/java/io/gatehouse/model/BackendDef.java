package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * A backend service that APIs forward to.
 *
 * @param name unique backend name
 * @param url base URL; the request path below the API prefix is appended to it
 * @param timeout response-head timeout overriding the gateway default, or {@code null}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackendDef(String name, String url, Duration timeout) {
  public BackendDef {
    requireNonNull(name, "name");
    requireNonNull(url, "url");
  }

  /** A backend with the gateway's default timeout. */
  public static BackendDef of(String name, String url) {
    return new BackendDef(name, url, null);
  }
}
