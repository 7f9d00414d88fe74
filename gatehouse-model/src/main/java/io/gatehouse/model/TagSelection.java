package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Applies a configuration file to the entities that carry selected tags only ({@code apply
 * --select-tag}): the file's entities replace the tagged ones, tagged entities absent from the
 * file are deleted, and every entity without a selected tag is kept as it is.
 */
public final class TagSelection {
  /** What a tag may look like: no spaces and no commas (a query parameter lists tags with commas). */
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@=+-]{0,63}");

  private TagSelection() {}

  /** Whether {@code tag} is a well-formed tag. */
  public static boolean isTag(String tag) {
    return tag != null && TAG.matcher(tag).matches();
  }

  /**
   * The configuration that results from applying {@code file} to {@code current} within the
   * entities carrying one of {@code tags}.
   *
   * @throws ConfigException naming each entity of the file that carries none of the tags, each
   *     entity of the file whose name an untagged entity already has, and settings or global
   *     policies in the file (they carry no tags)
   */
  public static GatewayConfig apply(GatewayConfig current, GatewayConfig file, Set<String> tags) {
    requireNonNull(current, "current");
    requireNonNull(file, "file");
    if (requireNonNull(tags, "tags").isEmpty()) {
      throw new IllegalArgumentException("no tags selected");
    }
    List<ConfigProblem> problems = new ArrayList<>();
    String shown = String.join(", ", new TreeSet<>(tags));
    if (!file.settings().equals(GatewaySettings.DEFAULTS)) {
      problems.add(ConfigProblem.at("settings", "settings carry no tags and cannot be applied with selected tags ("
          + shown + "); apply them without --select-tag"));
    }
    if (!file.policies().isEmpty()) {
      problems.add(ConfigProblem.at("policies", "global policies carry no tags and cannot be applied with selected tags ("
          + shown + "); apply them without --select-tag"));
    }
    GatewayConfig out = current;
    out = out.withBackends(merge(problems, "backends", "backend", current.backends(), file.backends(), tags, shown));
    out = out.withApis(merge(problems, "apis", "api", current.apis(), file.apis(), tags, shown));
    out = out.withProducts(merge(problems, "products", "product", current.products(), file.products(), tags, shown));
    out = out.withSubscriptions(
        merge(problems, "subscriptions", "subscription", current.subscriptions(), file.subscriptions(), tags, shown));
    out = out.withNamedValues(
        merge(problems, "namedValues", "named value", current.namedValues(), file.namedValues(), tags, shown));
    out = out.withUsers(merge(problems, "users", "user", current.users(), file.users(), tags, shown));
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return out;
  }

  /** The malformed tags of {@code config}, each located at its field. */
  static List<ConfigProblem> problems(GatewayConfig config) {
    List<ConfigProblem> out = new ArrayList<>();
    check(out, "backends", config.backends());
    check(out, "apis", config.apis());
    check(out, "products", config.products());
    check(out, "subscriptions", config.subscriptions());
    check(out, "namedValues", config.namedValues());
    check(out, "users", config.users());
    return out;
  }

  private static void check(List<ConfigProblem> out, String kind, List<? extends Tagged> items) {
    for (int i = 0; i < items.size(); i++) {
      List<String> tags = items.get(i).tags();
      for (int j = 0; j < tags.size(); j++) {
        if (!isTag(tags.get(j))) {
          out.add(ConfigProblem.at(kind + "[" + i + "].tags[" + j + "]", "expected a tag of 1 to 64 letters, digits"
              + " and ._:/@=+- (starting with a letter or digit) but got '" + tags.get(j) + "'"));
        }
      }
    }
  }

  private static <T extends Tagged> List<T> merge(List<ConfigProblem> problems, String kind, String singular,
      List<T> current, List<T> file, Set<String> tags, String shown) {
    List<T> out = new ArrayList<>();
    for (T item : current) {
      if (!item.carriesAny(tags)) {
        out.add(item);
      }
    }
    for (int i = 0; i < file.size(); i++) {
      T item = file.get(i);
      String at = kind + "[" + i + "]";
      if (!item.carriesAny(tags)) {
        problems.add(ConfigProblem.at(at + ".tags", singular + " '" + item.name() + "' carries none of the selected"
            + " tags (" + shown + "); tag it or leave it out of the file"));
      } else if (out.stream().anyMatch(kept -> kept.name().equals(item.name()))) {
        problems.add(ConfigProblem.at(at + ".name", singular + " '" + item.name() + "' already exists without the"
            + " selected tags (" + shown + "); tag it on the server first, or rename it in the file"));
      } else {
        out.add(item);
      }
    }
    return out;
  }
}
