package io.gatehouse.insight.discovery;

import static java.util.Objects.requireNonNull;

import io.gatehouse.insight.sensitive.SensitiveType;
import java.time.Instant;
import java.util.Set;

/**
 * One served request as discovery sees it.
 *
 * @param api name of the API that served it
 * @param method HTTP method
 * @param path concrete path below the API's prefix (query string ignored)
 * @param status response status code
 * @param authenticated whether the caller was authenticated (key, token or certificate)
 * @param queryParameters names of the query parameters sent
 * @param jsonFields names (dotted paths) of the JSON fields seen in the request or response
 * @param sensitiveTypes sensitive data types seen in the exchange
 * @param time when the request was served
 */
public record Observation(
    String api,
    String method,
    String path,
    int status,
    boolean authenticated,
    Set<String> queryParameters,
    Set<String> jsonFields,
    Set<SensitiveType> sensitiveTypes,
    Instant time) {
  public Observation {
    requireNonNull(api, "api");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requireNonNull(time, "time");
    queryParameters = queryParameters == null ? Set.of() : queryParameters;
    jsonFields = jsonFields == null ? Set.of() : jsonFields;
    sensitiveTypes = sensitiveTypes == null ? Set.of() : sensitiveTypes;
  }
}
