package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.gatehouse.model.ConfigDiff;
import io.gatehouse.model.ConfigMapper;
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

  static String problems(JsonNode answer) {
    StringBuilder out = new StringBuilder();
    if (answer.hasNonNull("detail")) {
      out.append("  ").append(answer.path("detail").asText()).append('\n');
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
