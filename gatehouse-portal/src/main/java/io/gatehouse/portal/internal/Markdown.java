package io.gatehouse.portal.internal;

import java.util.List;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.DefaultUrlSanitizer;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Markdown from API specifications and product texts rendered as inert HTML: raw HTML in the
 * source is escaped (a {@code <script>} shows as text) and link and image URLs other than
 * {@code http}, {@code https} and {@code mailto} are dropped (a {@code javascript:} link goes
 * nowhere).
 */
public final class Markdown {
  private static final Parser PARSER = Parser.builder().build();
  private static final HtmlRenderer RENDERER = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true)
      .urlSanitizer(new DefaultUrlSanitizer(List.of("http", "https", "mailto"))).build();

  private Markdown() {}

  /** {@code text} as sanitized HTML; empty for {@code null}. */
  public static String html(String text) {
    if (text == null || text.isBlank()) {
      return "";
    }
    return RENDERER.render(PARSER.parse(text));
  }
}
