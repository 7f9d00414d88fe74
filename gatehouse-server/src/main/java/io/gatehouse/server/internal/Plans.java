package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** Renders the management API's plan and problem answers for people. */
final class Plans {
  private Plans() {}

  static String render(JsonNode answer, boolean dryRun) {
    StringBuilder out = new StringBuilder();
    JsonNode changes = answer.path("plan");
    int created = 0;
    int updated = 0;
    int deleted = 0;
    for (JsonNode c : changes) {
      String action = c.path("action").asText().toLowerCase(Locale.ROOT);
      char sign = action.equals("created") ? '+' : action.equals("deleted") ? '-' : '~';
      created += action.equals("created") ? 1 : 0;
      updated += action.equals("updated") ? 1 : 0;
      deleted += action.equals("deleted") ? 1 : 0;
      out.append("  ").append(sign).append(' ').append(c.path("kind").asText()).append('/')
          .append(c.path("name").asText()).append(" (").append(action).append(")\n");
    }
    out.append(created).append(" created, ").append(updated).append(" updated, ").append(deleted).append(" deleted");
    if (dryRun) {
      out.append(" (dry run: nothing applied)");
    } else if (changes.isEmpty()) {
      out.append(" (no change)");
    } else if (answer.hasNonNull("revision")) {
      out.append(" (revision ").append(answer.path("revision").asText()).append(')');
    }
    return out.append('\n').toString();
  }

  /**
   * The problems of a refusal, each once: the detail, unless it only repeats a listed problem (as
   * the detail of a single-problem refusal does), then every listed problem.
   */
  static String problems(JsonNode answer) {
    StringBuilder out = new StringBuilder();
    String detail = answer.path("detail").asText("");
    boolean repeated = false;
    for (JsonNode p : answer.path("problems")) {
      String message = p.path("message").asText();
      repeated |= !message.isEmpty() && detail.contains(message);
    }
    if (!detail.isEmpty() && !repeated) {
      out.append("  ").append(detail).append('\n');
    }
    for (JsonNode p : answer.path("problems")) {
      out.append("  ");
      if (p.path("line").asInt() > 0) {
        out.append("line ").append(p.path("line").asInt());
        if (p.path("column").asInt() > 0) {
          out.append(", column ").append(p.path("column").asInt());
        }
        out.append(": ");
      }
      if (!p.path("field").asText().isEmpty()) {
        out.append(p.path("field").asText()).append(": ");
      }
      out.append(p.path("message").asText()).append('\n');
    }
    return out.toString();
  }
}
