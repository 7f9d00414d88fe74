package io.gatehouse.model.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;

/**
 * A parser that expands {@code ${env:NAME}} in string values as they are read, so that locations
 * reported by the underlying parser stay exact.
 */
public final class ExpandingParser extends JsonParserDelegate {
  /** Expands one string value that starts at {@code line}. */
  @FunctionalInterface
  public interface Expander {
    /** Returns {@code text} with its variables expanded. */
    String expand(String text, int line);
  }

  private final Expander expander;

  /** Wraps {@code delegate}, passing every string value through {@code expander}. */
  public ExpandingParser(JsonParser delegate, Expander expander) {
    super(delegate);
    this.expander = expander;
  }

  @Override
  public String getText() throws IOException {
    String text = super.getText();
    return currentToken() == JsonToken.VALUE_STRING ? expander.expand(text, currentTokenLocation().getLineNr()) : text;
  }

  @Override
  public char[] getTextCharacters() throws IOException {
    return getText().toCharArray();
  }

  @Override
  public int getTextLength() throws IOException {
    return getText().length();
  }

  @Override
  public int getTextOffset() {
    return 0;
  }

  @Override
  public String getValueAsString() throws IOException {
    return currentToken() == JsonToken.VALUE_STRING ? getText() : super.getValueAsString();
  }

  @Override
  public String getValueAsString(String defaultValue) throws IOException {
    return currentToken() == JsonToken.VALUE_STRING ? getText() : super.getValueAsString(defaultValue);
  }
}
