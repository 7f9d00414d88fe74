package io.gatehouse.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fields of a configuration document whose value is not known where it is checked: a value
 * that holds {@code ${env:NAME}} left as written, or {@code ${nv:NAME}} of a named value without a
 * value in the document (sealed secrets, references, values from the environment). Problems in
 * those fields depend on the value and are not reported there.
 */
final class Placeholders {
  private static final Pattern NAMED_VALUE = Pattern.compile("\\$\\{nv:([^}]*)}");

  private final Set<String> paths;

  private Placeholders(Set<String> paths) {
    this.paths = paths;
  }

  /** The unknown fields of {@code root}; {@code envKept} when {@code ${env:NAME}} was left as written. */
  static Placeholders of(JsonNode root, boolean envKept) {
    Set<String> unknownValues = new HashSet<>();
    JsonNode nvs = root == null ? null : root.get("namedValues");
    if (nvs != null && nvs.isArray()) {
      for (JsonNode nv : nvs) {
        JsonNode value = nv.get("value");
        if (nv.hasNonNull("name") && (value == null || value.isNull()
            || envKept && value.asText().contains("${env:"))) {
          unknownValues.add(nv.get("name").asText());
        }
      }
    }
    Set<String> paths = new HashSet<>();
    walk(root, "", envKept, unknownValues, paths);
    return new Placeholders(paths);
  }

  private static void walk(JsonNode node, String at, boolean envKept, Set<String> unknown, Set<String> out) {
    if (node == null) {
      return;
    }
    if (node.isTextual()) {
      String text = node.asText();
      if (envKept && text.contains("${env:")) {
        out.add(at);
        return;
      }
      Matcher m = NAMED_VALUE.matcher(text);
      while (m.find()) {
        if (unknown.contains(m.group(1))) {
          out.add(at);
          return;
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), at + "[" + i + "]", envKept, unknown, out);
      }
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        walk(e.getValue(), at.isEmpty() ? e.getKey() : at + "." + e.getKey(), envKept, unknown, out);
      }
    }
  }

  /**
   * {@code problems} without those in an unknown field, in an entity that holds one (a backend
   * refused for its URL), or inside one (a policy's field filled from an unknown value).
   */
  List<ConfigProblem> without(List<ConfigProblem> problems) {
    if (paths.isEmpty()) {
      return problems;
    }
    return problems.stream().filter(p -> !depends(p.field())).toList();
  }

  private boolean depends(String field) {
    if (field.isEmpty()) {
      return false;
    }
    for (String p : paths) {
      if (p.equals(field) || within(p, field) || within(field, p)) {
        return true;
      }
    }
    return false;
  }

  private static boolean within(String inner, String outer) {
    return inner.length() > outer.length() && inner.startsWith(outer)
        && (inner.charAt(outer.length()) == '.' || inner.charAt(outer.length()) == '[');
  }
}
