package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.internal.LineDiff;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The field-level changes that turn one configuration into another, each at a JSON Pointer
 * ({@code /apis/pets/policies/inbound/1/rate-limit/calls}): what an {@code apply} plan prints and
 * what a revision diff returns.
 *
 * <p>Entity collections are addressed by name ({@code /apis/pets}, not {@code /apis/3}); list
 * items by position, the position in the new configuration for additions and changes and in the
 * old one for removals. A secret-bearing value (see {@link DiffTrees}) never appears: its change
 * is marked {@code secret} and carries no value. A change of multi-line text (an inline OpenAPI
 * document) carries a unified diff of its lines instead of both texts.
 *
 * @param changes the changes in document order
 */
public record ConfigDiff(List<Change> changes) {
  /** Lines of context around each change of multi-line text. */
  private static final int TEXT_CONTEXT = 3;
  /** The longest value a plan line shows inline. */
  private static final int SHOWN_WIDTH = 120;

  /** The kind of a change, named as in JSON Patch. */
  public enum Op {
    /** The path did not exist before. */
    @JsonProperty("add") ADD,
    /** The path no longer exists. */
    @JsonProperty("remove") REMOVE,
    /** The value at the path changed. */
    @JsonProperty("replace") REPLACE
  }

  /**
   * One changed value.
   *
   * @param op added, removed or replaced
   * @param path the JSON Pointer of the value (RFC 6901)
   * @param before the value before, for replaced values and removed scalars; {@code null} otherwise,
   *     for secrets and for text with a {@code diff}
   * @param after the value after, for added and replaced values; {@code null} for secrets and for
   *     text with a {@code diff}
   * @param secret {@code true} when the value is secret-bearing (then no value is given), else {@code null}
   * @param diff the unified diff of a multi-line text's lines, or {@code null}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Change(Op op, String path, JsonNode before, JsonNode after, Boolean secret, List<String> diff) {
    public Change {
      requireNonNull(op, "op");
      requireNonNull(path, "path");
      diff = diff == null ? null : List.copyOf(diff);
    }

    /** The pointer's reference tokens, unescaped. */
    @JsonIgnore
    public List<String> tokens() {
      List<String> out = new ArrayList<>();
      if (path.isEmpty()) {
        return out;
      }
      for (String t : path.substring(1).split("/", -1)) {
        out.add(t.replace("~1", "/").replace("~0", "~"));
      }
      return out;
    }
  }

  /**
   * How many entities (and the settings and global policies, each as one) the changes create,
   * update and delete.
   *
   * @param created entities added
   * @param updated entities changed in place
   * @param deleted entities removed
   */
  public record Summary(int created, int updated, int deleted) {
    /** {@code "1 created, 2 updated, 0 deleted"}. */
    @Override
    public String toString() {
      return created + " created, " + updated + " updated, " + deleted + " deleted";
    }
  }

  public ConfigDiff {
    changes = List.copyOf(changes);
  }

  /** The changes from {@code from} to {@code to}; both are normalized first. */
  public static ConfigDiff between(GatewayConfig from, GatewayConfig to) {
    List<Change> out = new ArrayList<>();
    compare(out, "", DiffTrees.of(from), DiffTrees.of(to));
    return new ConfigDiff(out);
  }

  /** Whether the two configurations are the same. */
  @JsonIgnore
  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /** The entities created, updated and deleted. */
  public Summary summary() {
    Map<String, Op> entities = new LinkedHashMap<>();
    for (Change c : changes) {
      List<String> t = c.tokens();
      if (t.isEmpty()) {
        continue;
      }
      boolean collection = DiffTrees.KINDS.contains(t.get(0));
      if (collection && t.size() < 2) {
        continue;
      }
      String key = collection ? t.get(0) + "/" + t.get(1) : t.get(0);
      boolean whole = collection && t.size() == 2;
      entities.merge(key, whole ? c.op() : Op.REPLACE, (a, b) -> a == Op.REPLACE ? b : a);
    }
    int created = 0;
    int updated = 0;
    int deleted = 0;
    for (Op op : entities.values()) {
      switch (op) {
        case ADD -> created++;
        case REMOVE -> deleted++;
        case REPLACE -> updated++;
      }
    }
    return new Summary(created, updated, deleted);
  }

  /**
   * The changes as people read them, one line per change ({@code ~ /path: before -> after},
   * {@code + /path}, {@code - /path}), text diffs indented below their line; empty when nothing changes.
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (Change c : changes) {
      char sign = switch (c.op()) {
        case ADD -> '+';
        case REMOVE -> '-';
        case REPLACE -> '~';
      };
      StringBuilder line = new StringBuilder();
      line.append("  ").append(sign).append(' ').append(printable(c.path()));
      boolean entity = c.tokens().size() == 2 && DiffTrees.KINDS.contains(c.tokens().get(0));
      if (Boolean.TRUE.equals(c.secret())) {
        line.append(c.op() == Op.REPLACE ? ": (secret changed)" : ": " + DiffTrees.SHOWN);
      } else if (c.diff() != null) {
        line.append(':');
        for (String text : c.diff()) {
          line.append("\n      ").append(printable(text));
        }
      } else if (c.op() == Op.REPLACE) {
        line.append(": ").append(inline(c.before())).append(" -> ").append(inline(c.after()));
      } else if (!entity) {
        JsonNode value = c.op() == Op.ADD ? c.after() : c.before();
        if (value != null) {
          line.append(": ").append(inline(value));
        }
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  /** {@code text} with control characters (a terminal's escape sequences) shown as {@code ?}. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(c -> out.appendCodePoint(c != '\t' && Character.isISOControl(c) ? '?' : c));
    return out.toString();
  }

  /** A value on one line: compact JSON, or what it is when that would be too long. */
  private static String inline(JsonNode value) {
    if (value == null) {
      return "(none)";
    }
    if (value.isTextual() && value.asText().indexOf('\n') >= 0) {
      return "(text, " + value.asText().split("\n", -1).length + " lines)";
    }
    String json;
    try {
      json = ConfigMapper.json().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      json = value.toString();
    }
    if (json.length() <= SHOWN_WIDTH || value.isValueNode()) {
      return json;
    }
    return value.isArray() ? "(list of " + value.size() + ")" : "(object with " + value.size() + " fields)";
  }

  private static void compare(List<Change> out, String path, JsonNode a, JsonNode b) {
    if (a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode old = a.get(e.getKey());
        String at = path + "/" + escape(e.getKey());
        if (old == null) {
          out.add(added(at, e.getValue()));
        } else {
          compare(out, at, old, e.getValue());
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!b.has(e.getKey())) {
          out.add(removed(path + "/" + escape(e.getKey()), e.getValue()));
        }
      }
      return;
    }
    if (a.isArray() && b.isArray()) {
      compareLists(out, path, a, b);
      return;
    }
    if (DiffTrees.isSecret(a) || DiffTrees.isSecret(b)) {
      out.add(new Change(Op.REPLACE, path, null, null, true, null));
    } else if (a.isTextual() && b.isTextual() && (a.asText().indexOf('\n') >= 0 || b.asText().indexOf('\n') >= 0)) {
      out.add(new Change(Op.REPLACE, path, null, null, null, LineDiff.unified(a.asText(), b.asText(), TEXT_CONTEXT)));
    } else {
      out.add(new Change(Op.REPLACE, path, DiffTrees.shown(a), DiffTrees.shown(b), null, null));
    }
  }

  private static Change added(String path, JsonNode value) {
    return DiffTrees.isSecret(value) ? new Change(Op.ADD, path, null, null, true, null)
        : new Change(Op.ADD, path, null, DiffTrees.shown(value), null, null);
  }

  private static Change removed(String path, JsonNode value) {
    if (DiffTrees.isSecret(value)) {
      return new Change(Op.REMOVE, path, null, null, true, null);
    }
    return new Change(Op.REMOVE, path, value.isValueNode() ? value : null, null, null, null);
  }

  /**
   * Lists: items kept in order (their longest common subsequence) are unchanged; between two kept
   * items, removed and added items are paired position by position and compared in depth, the rest
   * are removed or added.
   */
  private static void compareLists(List<Change> out, String path, JsonNode a, JsonNode b) {
    int n = a.size();
    int m = b.size();
    int[][] lcs = (long) n * m <= 1_000_000 ? lcs(a, b) : null;
    List<Integer> gapA = new ArrayList<>();
    List<Integer> gapB = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a.get(i).equals(b.get(j)) && (lcs == null || lcs[i][j] == lcs[i + 1][j + 1] + 1)) {
        flush(out, path, a, b, gapA, gapB);
        i++;
        j++;
      } else if (j >= m || (i < n && (lcs == null ? i < j || j >= m : lcs[i + 1][j] >= lcs[i][j + 1]))) {
        gapA.add(i++);
      } else {
        gapB.add(j++);
      }
    }
    flush(out, path, a, b, gapA, gapB);
  }

  private static void flush(List<Change> out, String path, JsonNode a, JsonNode b, List<Integer> gapA, List<Integer> gapB) {
    int pairs = Math.min(gapA.size(), gapB.size());
    for (int k = 0; k < pairs; k++) {
      compare(out, path + "/" + gapB.get(k), a.get(gapA.get(k)), b.get(gapB.get(k)));
    }
    for (int k = pairs; k < gapA.size(); k++) {
      out.add(removed(path + "/" + gapA.get(k), a.get(gapA.get(k))));
    }
    for (int k = pairs; k < gapB.size(); k++) {
      out.add(added(path + "/" + gapB.get(k), b.get(gapB.get(k))));
    }
    gapA.clear();
    gapB.clear();
  }

  /** {@code lcs[i][j]}: the length of the longest common subsequence of {@code a[i..]} and {@code b[j..]}. */
  private static int[][] lcs(JsonNode a, JsonNode b) {
    int n = a.size();
    int m = b.size();
    int[][] t = new int[n + 1][m + 1];
    for (int i = n - 1; i >= 0; i--) {
      for (int j = m - 1; j >= 0; j--) {
        t[i][j] = a.get(i).equals(b.get(j)) ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
      }
    }
    return t;
  }

  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
