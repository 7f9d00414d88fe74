package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.SourceLines;
import java.util.ArrayList;
import java.util.List;
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
   * The problems of a refusal, one line each, located in {@code file} by their field paths (the
   * server's lines are those of the JSON it was sent, not of the file); the answer's detail when it
   * lists none.
   */
  static List<String> problems(JsonNode answer, SourceLines lines, String file) {
    List<ConfigProblem> problems = new ArrayList<>();
    for (JsonNode p : answer.path("problems")) {
      problems.add(ConfigProblem.at(p.path("field").asText(), p.path("message").asText()));
    }
    if (problems.isEmpty()) {
      return List.of("  " + answer.path("detail").asText(answer.path("title").asText("no detail given")));
    }
    return lines.locate(problems, file).stream().map(ConfigProblem::toString).toList();
  }
}
