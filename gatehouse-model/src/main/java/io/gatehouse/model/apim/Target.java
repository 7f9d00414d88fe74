package io.gatehouse.model.apim;

import java.util.Set;

/**
 * The Gatehouse policies the importer writes, each with the sections the gateway accepts it in and
 * whether it may run inside {@code choose} (which runs synchronous policies only). The one place the
 * importer names Gatehouse policies; a test compiles the importer's output with the gateway's own
 * registry, so a name or placement that drifts from the gateway fails the build.
 */
enum Target {
  SET_HEADER("set-header", Sections.ANY, true),
  SET_QUERY_PARAMETER("set-query-parameter", Sections.REQUEST, true),
  REWRITE_URI("rewrite-uri", Sections.REQUEST, true),
  SET_METHOD("set-method", Sections.REQUEST, true),
  SET_STATUS("set-status", Sections.RESPONSE, true),
  SET_BODY("set-body", Sections.ANY, true),
  RETURN_RESPONSE("return-response", Sections.ANY, true),
  MOCK_RESPONSE("mock-response", Sections.REQUEST, true),
  RATE_LIMIT("rate-limit", Sections.REQUEST, true),
  RATE_LIMIT_BY_KEY("rate-limit-by-key", Sections.REQUEST, true),
  QUOTA("quota", Sections.REQUEST, true),
  QUOTA_BY_KEY("quota-by-key", Sections.REQUEST, true),
  LIMIT_CONCURRENCY("limit-concurrency", Sections.REQUEST, true),
  IP_FILTER("ip-filter", Sections.REQUEST, true),
  CORS("cors", Sections.REQUEST, true),
  CHECK_HEADER("check-header", Sections.REQUEST, true),
  VALIDATE_JWT("validate-jwt", Sections.REQUEST, false),
  VALIDATE_CLIENT_CERTIFICATE("validate-client-certificate", Sections.REQUEST, true),
  VALIDATE_CONTENT("validate-content", Sections.NOT_ON_ERROR, false),
  VALIDATE_PARAMETERS("validate-parameters", Sections.REQUEST, true),
  VALIDATE_HEADERS("validate-headers", Sections.RESPONSE, true),
  VALIDATE_STATUS_CODE("validate-status-code", Sections.RESPONSE, true),
  CHOOSE("choose", Sections.ANY, true),
  SET_VARIABLE("set-variable", Sections.ANY, true),
  FIND_AND_REPLACE("find-and-replace", Sections.ANY, false),
  FORWARD_REQUEST("forward-request", Sections.REQUEST, true),
  RETRY("retry", Sections.REQUEST, false),
  SET_BACKEND_SERVICE("set-backend-service", Sections.REQUEST, true),
  SEND_REQUEST("send-request", Sections.ANY, false),
  CACHE_LOOKUP("cache-lookup", Sections.REQUEST, true),
  CACHE_STORE("cache-store", Sections.OUTBOUND, false),
  CACHE_LOOKUP_VALUE("cache-lookup-value", Sections.ANY, true),
  CACHE_STORE_VALUE("cache-store-value", Sections.ANY, true),
  CACHE_REMOVE_VALUE("cache-remove-value", Sections.ANY, true),
  JSON_TO_XML("json-to-xml", Sections.ANY, false),
  XML_TO_JSON("xml-to-json", Sections.ANY, false),
  TRACE("trace", Sections.ANY, true),
  EMIT_METRIC("emit-metric", Sections.ANY, true);

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
