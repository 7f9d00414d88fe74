package io.gatehouse.model.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Maps field paths such as {@code apis[0].backend} to the line where they start in a YAML or JSON
 * document, so that problems found after parsing can still name a line.
 */
public final class LocationIndex {
  private final Map<String, Integer> lines;

  private LocationIndex(Map<String, Integer> lines) {
    this.lines = lines;
  }

  /** Indexes {@code text}; a document that does not parse yields an empty index. */
  public static LocationIndex of(ObjectMapper mapper, String text) {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p = mapper.createParser(text)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        JsonStreamContext ctx = p.getParsingContext();
        if (t.isStructStart()) {
          ctx = ctx.getParent();
        }
        lines.putIfAbsent(path(ctx), p.currentTokenLocation().getLineNr());
      }
    } catch (IOException e) {
      return new LocationIndex(Map.of());
    }
    return new LocationIndex(lines);
  }

  private static String path(JsonStreamContext ctx) {
    Deque<String> parts = new ArrayDeque<>();
    for (; ctx != null && !ctx.inRoot(); ctx = ctx.getParent()) {
      if (ctx.inArray()) {
        parts.push("[" + Math.max(0, ctx.getCurrentIndex()) + "]");
      } else if (ctx.getCurrentName() != null) {
        parts.push("." + ctx.getCurrentName());
      }
    }
    String joined = String.join("", parts);
    return joined.startsWith(".") ? joined.substring(1) : joined;
  }

  /**
   * The 1-based line where {@code field} starts, falling back to its closest indexed parent; 0
   * when unknown.
   */
  public int line(String field) {
    String f = field;
    while (!f.isEmpty()) {
      Integer line = lines.get(f);
      if (line != null) {
        return line;
      }
      int cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
      f = cut <= 0 ? "" : f.substring(0, cut);
    }
    return 0;
  }
}
