package io.gatehouse.insight.discovery;

import io.gatehouse.model.OperationDef;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The comparison of observed traffic with the operations an API declares.
 *
 * @param shadow endpoints served but not declared
 * @param unused declared operations without traffic in the unused window
 * @param undocumentedParameters per observed endpoint ({@code "METHOD /template"}), query
 *     parameters seen that the matching declared operation does not document
 */
public record DiscoveryReport(
    List<ObservedEndpoint> shadow,
    List<OperationDef> unused,
    Map<String, Set<String>> undocumentedParameters) {
  public DiscoveryReport {
    shadow = List.copyOf(shadow);
    unused = List.copyOf(unused);
    undocumentedParameters = Map.copyOf(undocumentedParameters);
  }
}
