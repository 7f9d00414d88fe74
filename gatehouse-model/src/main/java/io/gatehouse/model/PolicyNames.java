package io.gatehouse.model;

import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The names of the policies the gateway ships, shared by the gateway that builds them, the advisor
 * that reads configurations for them and the importers that write them, so that none of the three
 * can refer to a policy that does not exist.
 */
public final class PolicyNames {

  /** The {@code cache-lookup} policy. */
  public static final String CACHE_LOOKUP = "cache-lookup";

  /** The {@code cache-lookup-value} policy. */
  public static final String CACHE_LOOKUP_VALUE = "cache-lookup-value";

  /** The {@code cache-remove-value} policy. */
  public static final String CACHE_REMOVE_VALUE = "cache-remove-value";

  /** The {@code cache-store} policy. */
  public static final String CACHE_STORE = "cache-store";

  /** The {@code cache-store-value} policy. */
  public static final String CACHE_STORE_VALUE = "cache-store-value";

  /** The {@code check-header} policy. */
  public static final String CHECK_HEADER = "check-header";

  /** The {@code choose} policy. */
  public static final String CHOOSE = "choose";

  /** The {@code cors} policy. */
  public static final String CORS = "cors";

  /** The {@code emit-metric} policy. */
  public static final String EMIT_METRIC = "emit-metric";

  /** The {@code find-and-replace} policy. */
  public static final String FIND_AND_REPLACE = "find-and-replace";

  /** The {@code forward-request} policy. */
  public static final String FORWARD_REQUEST = "forward-request";

  /** The {@code injection-protection} policy. */
  public static final String INJECTION_PROTECTION = "injection-protection";

  /** The {@code ip-filter} policy. */
  public static final String IP_FILTER = "ip-filter";

  /** The {@code json-to-xml} policy. */
  public static final String JSON_TO_XML = "json-to-xml";

  /** The {@code limit-concurrency} policy. */
  public static final String LIMIT_CONCURRENCY = "limit-concurrency";

  /** The {@code mask-data} policy. */
  public static final String MASK_DATA = "mask-data";

  /** The {@code mock-response} policy. */
  public static final String MOCK_RESPONSE = "mock-response";

  /** The {@code quota} policy. */
  public static final String QUOTA = "quota";

  /** The {@code quota-by-key} policy. */
  public static final String QUOTA_BY_KEY = "quota-by-key";

  /** The {@code rate-limit} policy. */
  public static final String RATE_LIMIT = "rate-limit";

  /** The {@code rate-limit-by-key} policy. */
  public static final String RATE_LIMIT_BY_KEY = "rate-limit-by-key";

  /** The {@code retry} policy. */
  public static final String RETRY = "retry";

  /** The {@code return-response} policy. */
  public static final String RETURN_RESPONSE = "return-response";

  /** The {@code rewrite-uri} policy. */
  public static final String REWRITE_URI = "rewrite-uri";

  /** The {@code send-request} policy. */
  public static final String SEND_REQUEST = "send-request";

  /** The {@code set-backend-service} policy. */
  public static final String SET_BACKEND_SERVICE = "set-backend-service";

  /** The {@code set-body} policy. */
  public static final String SET_BODY = "set-body";

  /** The {@code set-header} policy. */
  public static final String SET_HEADER = "set-header";

  /** The {@code set-method} policy. */
  public static final String SET_METHOD = "set-method";

  /** The {@code set-query-parameter} policy. */
  public static final String SET_QUERY_PARAMETER = "set-query-parameter";

  /** The {@code set-status} policy. */
  public static final String SET_STATUS = "set-status";

  /** The {@code set-variable} policy. */
  public static final String SET_VARIABLE = "set-variable";

  /** The {@code trace} policy. */
  public static final String TRACE = "trace";

  /** The {@code validate-client-certificate} policy. */
  public static final String VALIDATE_CLIENT_CERTIFICATE = "validate-client-certificate";

  /** The {@code validate-content} policy. */
  public static final String VALIDATE_CONTENT = "validate-content";

  /** The {@code validate-headers} policy. */
  public static final String VALIDATE_HEADERS = "validate-headers";

  /** The {@code validate-jwt} policy. */
  public static final String VALIDATE_JWT = "validate-jwt";

  /** The {@code validate-parameters} policy. */
  public static final String VALIDATE_PARAMETERS = "validate-parameters";

  /** The {@code validate-status-code} policy. */
  public static final String VALIDATE_STATUS_CODE = "validate-status-code";

  /** The {@code waf} policy. */
  public static final String WAF = "waf";

  /** The {@code xml-to-json} policy. */
  public static final String XML_TO_JSON = "xml-to-json";

  /** Every built-in policy name, sorted. */
  public static final SortedSet<String> BUILTIN = Collections.unmodifiableSortedSet(new TreeSet<>(Set.of(
      CACHE_LOOKUP,
      CACHE_LOOKUP_VALUE,
      CACHE_REMOVE_VALUE,
      CACHE_STORE,
      CACHE_STORE_VALUE,
      CHECK_HEADER,
      CHOOSE,
      CORS,
      EMIT_METRIC,
      FIND_AND_REPLACE,
      FORWARD_REQUEST,
      INJECTION_PROTECTION,
      IP_FILTER,
      JSON_TO_XML,
      LIMIT_CONCURRENCY,
      MASK_DATA,
      MOCK_RESPONSE,
      QUOTA,
      QUOTA_BY_KEY,
      RATE_LIMIT,
      RATE_LIMIT_BY_KEY,
      RETRY,
      RETURN_RESPONSE,
      REWRITE_URI,
      SEND_REQUEST,
      SET_BACKEND_SERVICE,
      SET_BODY,
      SET_HEADER,
      SET_METHOD,
      SET_QUERY_PARAMETER,
      SET_STATUS,
      SET_VARIABLE,
      TRACE,
      VALIDATE_CLIENT_CERTIFICATE,
      VALIDATE_CONTENT,
      VALIDATE_HEADERS,
      VALIDATE_JWT,
      VALIDATE_PARAMETERS,
      VALIDATE_STATUS_CODE,
      WAF,
      XML_TO_JSON)));

  private PolicyNames() {}
}
