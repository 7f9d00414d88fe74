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
 * @param requestSensitive sensitive data types seen in the request (query, body)
 * @param responseSensitive sensitive data types seen in the response body
 * @param time when the request was served
 * @param template the endpoint's path template when known (the matched operation's, such as
 *     {@code /users/{id}}), or {@code null} to derive it from {@code path} with {@link PathNormalizer}
 */
public record Observation(
    String api,
    String method,
    String path,
    int status,
    boolean authenticated,
    Set<String> queryParameters,
    Set<String> jsonFields,
    Set<SensitiveType> requestSensitive,
    Set<SensitiveType> responseSensitive,
    Instant time,
    String template) {
  public Observation {
    requireNonNull(api, "api");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requireNonNull(time, "time");
    queryParameters = queryParameters == null ? Set.of() : queryParameters;
    jsonFields = jsonFields == null ? Set.of() : jsonFields;
    requestSensitive = requestSensitive == null ? Set.of() : requestSensitive;
    responseSensitive = responseSensitive == null ? Set.of() : responseSensitive;
  }

  /** The template this observation is recorded under. */
  public String effectiveTemplate() {
    return template != null ? template : PathNormalizer.template(path);
  }
}
