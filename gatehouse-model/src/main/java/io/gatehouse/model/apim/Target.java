package io.gatehouse.model.apim;

import io.gatehouse.model.PolicyNames;
import java.util.Set;

/**
 * The Gatehouse policies the importer writes, each with the sections the gateway accepts it in and
 * whether it may run inside {@code choose} (which runs synchronous policies only). The one place the
 * importer names Gatehouse policies; a test compiles the importer's output with the gateway's own
 * registry, so a name or placement that drifts from the gateway fails the build.
 */
enum Target {
  SET_HEADER(PolicyNames.SET_HEADER, Sections.ANY, true),
  SET_QUERY_PARAMETER(PolicyNames.SET_QUERY_PARAMETER, Sections.REQUEST, true),
  REWRITE_URI(PolicyNames.REWRITE_URI, Sections.REQUEST, true),
  SET_METHOD(PolicyNames.SET_METHOD, Sections.REQUEST, true),
  SET_STATUS(PolicyNames.SET_STATUS, Sections.RESPONSE, true),
  SET_BODY(PolicyNames.SET_BODY, Sections.ANY, true),
  RETURN_RESPONSE(PolicyNames.RETURN_RESPONSE, Sections.ANY, true),
  MOCK_RESPONSE(PolicyNames.MOCK_RESPONSE, Sections.REQUEST, true),
  RATE_LIMIT(PolicyNames.RATE_LIMIT, Sections.REQUEST, true),
  RATE_LIMIT_BY_KEY(PolicyNames.RATE_LIMIT_BY_KEY, Sections.REQUEST, true),
  QUOTA(PolicyNames.QUOTA, Sections.REQUEST, true),
  QUOTA_BY_KEY(PolicyNames.QUOTA_BY_KEY, Sections.REQUEST, true),
  LIMIT_CONCURRENCY(PolicyNames.LIMIT_CONCURRENCY, Sections.REQUEST, true),
  IP_FILTER(PolicyNames.IP_FILTER, Sections.REQUEST, true),
  CORS(PolicyNames.CORS, Sections.REQUEST, true),
  CHECK_HEADER(PolicyNames.CHECK_HEADER, Sections.REQUEST, true),
  VALIDATE_JWT(PolicyNames.VALIDATE_JWT, Sections.REQUEST, false),
  VALIDATE_CLIENT_CERTIFICATE(PolicyNames.VALIDATE_CLIENT_CERTIFICATE, Sections.REQUEST, true),
  VALIDATE_CONTENT(PolicyNames.VALIDATE_CONTENT, Sections.NOT_ON_ERROR, false),
  VALIDATE_PARAMETERS(PolicyNames.VALIDATE_PARAMETERS, Sections.REQUEST, true),
  VALIDATE_HEADERS(PolicyNames.VALIDATE_HEADERS, Sections.RESPONSE, true),
  VALIDATE_STATUS_CODE(PolicyNames.VALIDATE_STATUS_CODE, Sections.RESPONSE, true),
  CHOOSE(PolicyNames.CHOOSE, Sections.ANY, true),
  SET_VARIABLE(PolicyNames.SET_VARIABLE, Sections.ANY, true),
  FIND_AND_REPLACE(PolicyNames.FIND_AND_REPLACE, Sections.ANY, false),
  FORWARD_REQUEST(PolicyNames.FORWARD_REQUEST, Sections.REQUEST, true),
  RETRY(PolicyNames.RETRY, Sections.REQUEST, false),
  SET_BACKEND_SERVICE(PolicyNames.SET_BACKEND_SERVICE, Sections.REQUEST, true),
  SEND_REQUEST(PolicyNames.SEND_REQUEST, Sections.ANY, false),
  CACHE_LOOKUP(PolicyNames.CACHE_LOOKUP, Sections.REQUEST, true),
  CACHE_STORE(PolicyNames.CACHE_STORE, Sections.OUTBOUND, false),
  CACHE_LOOKUP_VALUE(PolicyNames.CACHE_LOOKUP_VALUE, Sections.ANY, true),
  CACHE_STORE_VALUE(PolicyNames.CACHE_STORE_VALUE, Sections.ANY, true),
  CACHE_REMOVE_VALUE(PolicyNames.CACHE_REMOVE_VALUE, Sections.ANY, true),
  JSON_TO_XML(PolicyNames.JSON_TO_XML, Sections.ANY, false),
  XML_TO_JSON(PolicyNames.XML_TO_JSON, Sections.ANY, false),
  TRACE(PolicyNames.TRACE, Sections.ANY, true),
  EMIT_METRIC(PolicyNames.EMIT_METRIC, Sections.ANY, true);

  /** The sections a policy may be configured in. */
  enum Sections {
    ANY(Set.of("inbound", "backend", "outbound", "on-error"), "any section"),
    REQUEST(Set.of("inbound", "backend"), "inbound or backend only"),
    RESPONSE(Set.of("outbound", "on-error"), "outbound or on-error only"),
    OUTBOUND(Set.of("outbound"), "outbound only"),
    NOT_ON_ERROR(Set.of("inbound", "backend", "outbound"), "inbound, backend or outbound only");

    final Set<String> keys;
    final String description;

    Sections(Set<String> keys, String description) {
      this.keys = keys;
      this.description = description;
    }
  }

  /** The Gatehouse policy name. */
  final String policy;
  final Sections sections;
  /** Whether it may run inside {@code choose}. */
  final boolean synchronous;

  Target(String policy, Sections sections, boolean synchronous) {
    this.policy = policy;
    this.sections = sections;
    this.synchronous = synchronous;
  }
}
