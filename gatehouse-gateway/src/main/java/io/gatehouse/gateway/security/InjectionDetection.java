package io.gatehouse.gateway.security;

import static java.util.Objects.requireNonNull;

import io.gatehouse.insight.injection.InjectionFinding;
import java.time.Instant;
import java.util.List;

/**
 * One request in which the {@code injection-protection} policy found suspected injections, with
 * what it did about it.
 *
 * @param time when the policy inspected the request
 * @param requestId the request id
 * @param api the API name
 * @param operation the matched operation, or empty
 * @param clientIp the client's address after trusted-proxy resolution
 * @param subscription the subscription name when known, else {@code null}
 * @param method the request method
 * @param path the path below the API prefix
 * @param blocked whether the request was refused ({@code action: block}) or let through ({@code detect})
 * @param findings what was found (evidence excerpts of at most 64 characters)
 */
public record InjectionDetection(
    Instant time,
    String requestId,
    String api,
    String operation,
    String clientIp,
    String subscription,
    String method,
    String path,
    boolean blocked,
    List<InjectionFinding> findings) {
  public InjectionDetection {
    requireNonNull(time, "time");
    requireNonNull(requestId, "requestId");
    api = api == null ? "" : api;
    operation = operation == null ? "" : operation;
    clientIp = clientIp == null ? "" : clientIp;
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    findings = List.copyOf(findings);
  }
}
