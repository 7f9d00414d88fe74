package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.gatehouse.model.ConfigDiff;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.SourceLines;
import java.util.ArrayList;
import java.util.List;

/** Renders the management API's plans, revision diffs and problem answers for people. */
final class Plans {
  /** Reads changes leniently: a newer server may add fields this client does not know. */
  private static final ObjectReader CHANGE = ConfigMapper.json().readerFor(ConfigDiff.Change.class)
      .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Plans() {}

  static String render(JsonNode answer, boolean dryRun) {
    ConfigDiff diff = diff(answer.path("plan"));
    StringBuilder out = new StringBuilder(diff.render());
    out.append(diff.summary());
    if (dryRun) {
      out.append(" (dry run: nothing applied)");
    } else if (diff.isEmpty()) {
      out.append(" (no change)");
    } else if (answer.hasNonNull("revision")) {
      out.append(" (revision ").append(answer.path("revision").asText()).append(')');
    }
    return out.append('\n').toString();
  }

  /** The changes of a plan or revision diff as the server sent them. */
  static ConfigDiff diff(JsonNode changes) {
    List<ConfigDiff.Change> list = new ArrayList<>();
    for (JsonNode c : changes) {
      try {
        list.add(CHANGE.readValue(c));
      } catch (java.io.IOException | IllegalArgumentException e) {
        throw new IllegalStateException("the server sent a change this client does not read: " + c.path("path").asText(), e);
      }
    }
    return new ConfigDiff(list);
  }

  /**
   * The problems of a refusal, one line each, located in {@code file} by their field paths (the
   * server's lines are those of the JSON it was sent, not of the file); the answer's detail when it
   * lists none. {@code lines} and {@code file} are {@code null} for a refusal that concerns no file.
   */
  static List<String> problems(JsonNode answer, SourceLines lines, String file) {
    List<ConfigProblem> problems = new ArrayList<>();
    for (JsonNode p : answer.path("problems")) {
      problems.add(ConfigProblem.at(p.path("field").asText(), p.path("message").asText()));
    }
    if (problems.isEmpty()) {
      return List.of("  " + answer.path("detail").asText(answer.path("title").asText("no detail given")));
    }
    return (lines == null ? problems : lines.locate(problems, file)).stream().map(ConfigProblem::toString).toList();
  }
}
