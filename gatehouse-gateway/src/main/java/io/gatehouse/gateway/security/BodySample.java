package io.gatehouse.gateway.security;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The first bytes of one sampled exchange's textual request and response bodies, as decoded text,
 * for sensitive-data analysis; bodies that were binary, compressed or absent are empty.
 *
 * @param time when the sample was completed
 * @param requestId the request id
 * @param api the API name
 * @param operation the operation as configured ({@code "GET /users/{id}"}), empty when none matched
 * @param method the request method
 * @param path the path below the API's prefix
 * @param query the query string forwarded, nullable
 * @param status the backend's response status
 * @param requestBody the first bytes of the request body as UTF-8 text, possibly empty
 * @param responseBody the first bytes of the response body as UTF-8 text, possibly empty
 * @param truncated whether either body was longer than the sampled bytes
 */
public record BodySample(Instant time, String requestId, String api, String operation, String method, String path,
    String query, int status, String requestBody, String responseBody, boolean truncated) {
  public BodySample {
    requireNonNull(time, "time");
    requireNonNull(requestId, "requestId");
    requireNonNull(api, "api");
    requireNonNull(operation, "operation");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requestBody = requestBody == null ? "" : requestBody;
    responseBody = responseBody == null ? "" : responseBody;
  }
}
