package io.gatehouse.control.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.security.Principal;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Refuses (403) a configuration change that adds or alters a policy's free URL (a
 * {@code set-backend-service} {@code base-url}, a {@code send-request} {@code url} or
 * {@code url-expression}) unless the caller holds {@code backends:write}: naming a configured
 * backend ({@code backend-id}) needs only the policy write itself.
 *
 * <p>A free URL decides where the gateway sends traffic, as a backend does, so it needs the same
 * permission; free URLs already in the configuration may stay when someone without it edits the
 * rest of the same API.
 */
final class FreeUrlRule {
  static final String PERMISSION = "backends:write";
  private static final Map<String, List<String>> FIELDS = Map.of(
      "set-backend-service", List.of("base-url"),
      "send-request", List.of("url", "url-expression"));

  private FreeUrlRule() {}

  /**
   * Returns {@code after} when {@code who} may write it over {@code before}.
   *
   * @throws ApiException 403 naming the first policy field that would gain a free URL
   */
  static GatewayConfig check(Principal who, GatewayConfig before, GatewayConfig after) {
    if (who != null && who.permits(PERMISSION)) {
      return after;
    }
    Map<String, Integer> had = new HashMap<>();
    collect(ConfigMapper.json().valueToTree(before), had);
    Map<String, Integer> has = new HashMap<>();
    collect(ConfigMapper.json().valueToTree(after), has);
    for (Map.Entry<String, Integer> e : has.entrySet()) {
      if (e.getValue() > had.getOrDefault(e.getKey(), 0)) {
        throw new ApiException(403, "a policy with a URL of its own (" + e.getKey() + ") needs the permission "
            + PERMISSION + "; name a configured backend with 'backend-id' instead");
      }
    }
    return after;
  }

  /** Counts every free URL in {@code node} as {@code policy field} text. */
  private static void collect(JsonNode node, Map<String, Integer> out) {
    if (node == null) {
      return;
    }
    if (node.isObject() && node.size() == 1) {
      String policy = node.fieldNames().next();
      List<String> fields = FIELDS.get(policy);
      JsonNode config = node.get(policy);
      if (fields != null && config != null && config.isObject()) {
        for (String field : fields) {
          JsonNode value = config.get(field);
          if (value != null && !value.isNull()) {
            out.merge(policy + " " + field + ": '" + value.asText() + "'", 1, Integer::sum);
          }
        }
      }
    }
    for (JsonNode child : node) {
      collect(child, out);
    }
  }
}
