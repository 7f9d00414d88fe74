package io.gatehouse.insight.discovery;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import io.gatehouse.insight.sensitive.SensitiveType;

/**
 * An immutable snapshot of what was observed for one templated endpoint of one API.
 *
 * @param api API name
 * @param method HTTP method
 * @param template path template, see {@link PathNormalizer}
 * @param firstSeen time of the first call
 * @param lastSeen time of the latest call
 * @param calls number of calls
 * @param statusCounts calls per response status
 * @param authenticatedCalls calls made by authenticated callers
 * @param anonymousCalls calls made without authentication
 * @param queryParameters query parameter names seen (capped)
 * @param jsonFields JSON field names seen (capped)
 * @param sensitiveInRequests sensitive data types seen in requests (query, body samples)
 * @param sensitiveInResponses sensitive data types seen in response body samples
 * @param droppedNames names not recorded because the per-endpoint cap was reached
 */
public record ObservedEndpoint(
    String api,
    String method,
    String template,
    Instant firstSeen,
    Instant lastSeen,
    long calls,
    Map<Integer, Long> statusCounts,
    long authenticatedCalls,
    long anonymousCalls,
    Set<String> queryParameters,
    Set<String> jsonFields,
    Set<SensitiveType> sensitiveInRequests,
    Set<SensitiveType> sensitiveInResponses,
    long droppedNames) {}
