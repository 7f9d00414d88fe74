package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import io.gatehouse.model.internal.LocationIndex;
import java.util.List;

/**
 * Maps field paths of a configuration document (such as {@code apis[0].policies.inbound[1]}) to
 * the line where they are written, so that problems and findings found after parsing name a line.
 */
public final class SourceLines {
  private final LocationIndex index;

  private SourceLines(LocationIndex index) {
    this.index = index;
  }

  /** The lines of {@code text}, a YAML or JSON document; a document that does not parse knows no line. */
  public static SourceLines of(String text) {
    return ofQuoted(ConfigLoader.quoteFlowOperations(requireNonNull(text, "text")));
  }

  /** The lines of {@code text} whose flow lists of operations are already quoted. */
  static SourceLines ofQuoted(String text) {
    return new SourceLines(LocationIndex.of(ConfigMapper.yaml(), text));
  }

  /** The 1-based line where {@code field} (or its closest written parent) starts; 0 when unknown. */
  public int line(String field) {
    return index.line(requireNonNull(field, "field"));
  }

  /**
   * {@code problems} located in {@code source}: each at the line of its field when the field is
   * written there, else at the line it already had; duplicates removed.
   */
  public List<ConfigProblem> locate(List<ConfigProblem> problems, String source) {
    return problems.stream()
        .map(p -> {
          int indexed = p.field().isEmpty() ? 0 : line(p.field());
          return p.locate(source, indexed > 0 ? indexed : p.line());
        })
        .distinct()
        .toList();
  }
}
