package io.gatehouse.control.internal;

import io.gatehouse.model.ApiDef;
import io.gatehouse.model.InventoryDef;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The filter of {@code GET /api/v1/apis} over inventory metadata: query parameters {@code owner},
 * {@code lifecycle}, {@code exposure} and {@code classification} each keep the APIs whose field
 * equals the value (all given parameters must match); an enumerated parameter with a value outside
 * its allowed set is a 400.
 */
final class ApiInventoryFilter {
  /** The query parameters, for the OpenAPI document. */
  static final List<String> PARAMETERS = List.of("owner", "lifecycle", "exposure", "classification");

  private ApiInventoryFilter() {}

  /** The predicate the query of {@code c} asks for; always true without filter parameters. */
  static Predicate<ApiDef> of(Call c) {
    Predicate<ApiDef> p = a -> true;
    p = p.and(field(c, "owner", InventoryDef::owner, null));
    p = p.and(field(c, "lifecycle", InventoryDef::lifecycle, InventoryDef.LIFECYCLES));
    p = p.and(field(c, "exposure", InventoryDef::exposure, InventoryDef.EXPOSURES));
    p = p.and(field(c, "classification", InventoryDef::classification, InventoryDef.CLASSIFICATIONS));
    return p;
  }

  private static Predicate<ApiDef> field(Call c, String name, Function<InventoryDef, String> get, List<String> allowed) {
    String wanted = c.query(name).map(String::strip).orElse(null);
    if (wanted == null || wanted.isEmpty()) {
      return a -> true;
    }
    if (allowed != null && !allowed.contains(wanted)) {
      throw new ApiException(400, "query parameter '" + name + "': expected one of " + allowed + " but got '" + wanted + "'");
    }
    return a -> wanted.equals(get.apply(a.inventory()));
  }
}
