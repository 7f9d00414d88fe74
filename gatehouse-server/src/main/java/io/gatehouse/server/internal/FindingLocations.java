package io.gatehouse.server.internal;

import io.gatehouse.insight.Finding;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.SourceLines;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Finds the line of a configuration file where a posture finding's entity is written (the API, the
 * operation, the backend, the subscription or the named value its resource names), for reports
 * that point at a line; 0 when the entity is not in the file.
 */
final class FindingLocations implements ToIntFunction<Finding> {
  private final GatewayConfig config;
  private final SourceLines lines;

  FindingLocations(GatewayConfig config, SourceLines lines) {
    this.config = config;
    this.lines = lines;
  }

  @Override
  public int applyAsInt(Finding f) {
    String field = field(f.resource());
    return field == null ? 0 : lines.line(field);
  }

  /** The field path of the entity {@code resource} names ({@code api orders GET /x}), or {@code null}. */
  String field(String resource) {
    if (resource.startsWith("api ")) {
      String rest = resource.substring(4);
      int space = rest.indexOf(' ');
      String api = space < 0 ? rest : rest.substring(0, space);
      int i = index(config.apis(), a -> a.name(), api);
      if (i < 0) {
        return null;
      }
      if (space >= 0) {
        String op = rest.substring(space + 1);
        int j = index(config.apis().get(i).operations(), Object::toString, op);
        if (j >= 0) {
          return "apis[" + i + "].operations[" + j + "]";
        }
      }
      return "apis[" + i + "]";
    }
    if (resource.startsWith("backend ")) {
      return at("backends", index(config.backends(), b -> b.name(), resource.substring(8)));
    }
    if (resource.startsWith("subscription ")) {
      return at("subscriptions", index(config.subscriptions(), s -> s.name(), resource.substring(13)));
    }
    if (resource.startsWith("named value ")) {
      return at("namedValues", index(config.namedValues(), n -> n.name(), resource.substring(12)));
    }
    return null;
  }

  private static String at(String kind, int i) {
    return i < 0 ? null : kind + "[" + i + "]";
  }

  private static <T> int index(List<T> items, Function<T, String> name, String wanted) {
    for (int i = 0; i < items.size(); i++) {
      if (name.apply(items.get(i)).equals(wanted)) {
        return i;
      }
    }
    return -1;
  }
}
