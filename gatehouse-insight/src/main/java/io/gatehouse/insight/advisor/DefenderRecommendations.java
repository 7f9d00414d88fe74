package io.gatehouse.insight.advisor;

import java.util.List;

/**
 * The titles, verbatim, of the Microsoft Defender for Cloud API Management recommendations that
 * posture findings match; a finding names its title in {@link io.gatehouse.insight.Finding#defender()}.
 */
public final class DefenderRecommendations {
  /** Matched by {@code api.no-authentication} and {@code operation.no-authentication}. */
  public static final String ENDPOINTS_AUTHENTICATED =
      "API endpoints in Azure API Management should be authenticated";
  /** Matched by {@code endpoint.unused} (no traffic for 30 days). */
  public static final String UNUSED_ENDPOINTS_REMOVED =
      "API endpoints that are unused should be disabled and removed from the Azure API Management service";
  /** Matched by {@code subscription.scope-all}. */
  public static final String SUBSCRIPTIONS_NOT_ALL_APIS =
      "API Management subscriptions should not be scoped to all APIs";
  /** Matched by {@code backend.tls-verify-off}. */
  public static final String BACKEND_CERTIFICATE_VALIDATION =
      "API Management calls to API backends should not bypass certificate thumbprint or name validation";
  /** Matched by {@code management.beyond-loopback}: the management API is reachable off the host. */
  public static final String DIRECT_MANAGEMENT_ENDPOINT =
      "API Management direct management endpoint should not be enabled";
  /** Matched by {@code api.plain-http}. */
  public static final String ENCRYPTED_PROTOCOLS = "API Management APIs should use only encrypted protocols";
  /** Matched by the high {@code named-value.inline-secret}: a secret kept as a plain named value. */
  public static final String SECRET_NAMED_VALUES =
      "API Management secret named values should be stored in Azure Key Vault";
  /** Matched by {@code management.public-network}: the management API bound to a public or wildcard address. */
  public static final String CONFIGURATION_ENDPOINT_PUBLIC =
      "API Management should disable public network access to the service configuration endpoints";
  /**
   * Matched by {@code role.read-only-reveals-secrets}. In Azure, API versions before 2019-12-01
   * let read-only roles read secrets; here a role that changes nothing but may reveal secret values.
   */
  public static final String MINIMUM_API_VERSION =
      "API Management minimum API version should be set to 2019-12-01 or higher";
  /** Matched by {@code backend.no-credentials}. */
  public static final String BACKEND_CALLS_AUTHENTICATED =
      "API Management calls to API backends should be authenticated";

  /** Every title above, in the order Defender lists them here. */
  public static final List<String> ALL = List.of(ENDPOINTS_AUTHENTICATED, UNUSED_ENDPOINTS_REMOVED,
      SUBSCRIPTIONS_NOT_ALL_APIS, BACKEND_CERTIFICATE_VALIDATION, DIRECT_MANAGEMENT_ENDPOINT, ENCRYPTED_PROTOCOLS,
      SECRET_NAMED_VALUES, CONFIGURATION_ENDPOINT_PUBLIC, MINIMUM_API_VERSION, BACKEND_CALLS_AUTHENTICATED);

  private DefenderRecommendations() {}
}
