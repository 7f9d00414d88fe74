package io.gatehouse.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where an API's OpenAPI (3.0, 3.1) or Swagger 2.0 document comes from: exactly one of a file, a
 * URL or inline text. Loading resolves files and URLs into {@code inline}, so a stored
 * configuration is self-contained.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OpenApiSource(String file, String url, String inline) {

  /** A source holding the document's text. */
  public static OpenApiSource inline(String text) {
    return new OpenApiSource(null, null, text);
  }
}
