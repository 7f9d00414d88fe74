package io.gatehouse.model;

import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns OpenAPI 3.0, 3.1 and Swagger 2.0 documents into operations, resolving documents given as
 * a file or URL into inline text.
 */
public final class OpenApiImporter {
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

  /** The operations declared by {@code document}, as {@code METHOD /path}. */
  public List<OperationDef> operations(String document) {
    OpenAPI api = parse(document);
    List<OperationDef> out = new ArrayList<>();
    if (api.getPaths() == null) {
      return out;
    }
    for (Map.Entry<String, PathItem> e : api.getPaths().entrySet()) {
      for (PathItem.HttpMethod method : e.getValue().readOperationsMap().keySet()) {
        out.add(new OperationDef(method.name().toUpperCase(Locale.ROOT), e.getKey()));
      }
    }
    return out;
  }

  /**
   * Parses {@code document}, failing with the parser's messages when it is not a usable OpenAPI
   * or Swagger document.
   */
  public OpenAPI parse(String document) {
    com.fasterxml.jackson.databind.JsonNode root;
    try {
      root = ConfigMapper.yaml().readTree(document);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not an OpenAPI 3.x or Swagger 2.0 document: " + ReadErrors.describe(e, "YAML or JSON"));
    } catch (IOException e) {
      throw new IllegalArgumentException("not an OpenAPI 3.x or Swagger 2.0 document: it is not valid YAML or JSON");
    }
    if (root == null || !(root.has("openapi") || root.has("swagger"))) {
      throw new IllegalArgumentException("not an OpenAPI 3.x or Swagger 2.0 document: no 'openapi' or 'swagger' field");
    }
    refuseExternalReferences(root);
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    SwaggerParseResult result = new OpenAPIParser().readContents(document, null, options);
    if (result.getOpenAPI() == null) {
      List<String> messages = result.getMessages() == null ? List.of() : result.getMessages();
      throw new IllegalArgumentException(
          "not an OpenAPI 3.x or Swagger 2.0 document"
              + (messages.isEmpty() ? "" : ": " + ReadErrors.scrub(String.join("; ", messages))));
    }
    return result.getOpenAPI();
  }

  /**
   * Refuses a {@code $ref} that points outside the document: the parser would fetch a URL or read
   * a local file for it, from a document that may have arrived over the management API.
   */
  private static void refuseExternalReferences(com.fasterxml.jackson.databind.JsonNode root) {
    java.util.ArrayDeque<com.fasterxml.jackson.databind.JsonNode> todo = new java.util.ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      com.fasterxml.jackson.databind.JsonNode node = todo.pop();
      com.fasterxml.jackson.databind.JsonNode ref = node.isObject() ? node.get("$ref") : null;
      if (ref != null && ref.isTextual() && !ref.asText().startsWith("#")) {
        String shown = ref.asText().length() > 80 ? ref.asText().substring(0, 80) + "..." : ref.asText();
        throw new IllegalArgumentException("not an OpenAPI 3.x or Swagger 2.0 document without external references:"
            + " $ref '" + shown + "' points outside the document; expected a local reference ('#/...'),"
            + " inline the referenced schema");
      }
      node.elements().forEachRemaining(todo::push);
    }
  }

  /**
   * Returns {@code config} with every API's OpenAPI source read into inline text and its
   * operations merged in; problems are added to {@code problems}.
   */
  GatewayConfig resolveAll(GatewayConfig config, Path baseDir, List<ConfigProblem> problems) {
    List<ApiDef> apis = new ArrayList<>();
    for (int i = 0; i < config.apis().size(); i++) {
      ApiDef api = config.apis().get(i);
      if (api.openapi() == null) {
        apis.add(api);
        continue;
      }
      String at = "apis[" + i + "].openapi";
      try {
        String text = read(api.openapi(), baseDir);
        Set<OperationDef> ops = new LinkedHashSet<>(api.operations());
        ops.addAll(operations(text));
        apis.add(api.withOpenapi(OpenApiSource.inline(text)).withOperations(List.copyOf(ops)));
      } catch (IllegalArgumentException e) {
        problems.add(ConfigProblem.at(at, e.getMessage()));
        apis.add(api.withOpenapi(null)); // one cause, one message: the validator must not report the source again
      } catch (IOException e) {
        problems.add(ConfigProblem.at(at, unreadable(api.openapi(), e)));
        apis.add(api.withOpenapi(null));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problems.add(ConfigProblem.at(at, "interrupted while fetching the document"));
        apis.add(api.withOpenapi(null));
      }
    }
    return config.withApis(apis);
  }

  /** Why the document of {@code source} could not be read, in words; never a Java class name. */
  private static String unreadable(OpenApiSource source, IOException e) {
    String what = source.file() != null ? "the OpenAPI file '" + source.file() + "'" : "the OpenAPI document at " + source.url();
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "cannot read " + what + ": no such file (a relative path is resolved against the configuration file's folder)";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "cannot read " + what + ": permission denied";
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "cannot read " + what + ": timed out";
    }
    if (e instanceof java.net.ConnectException) {
      return "cannot read " + what + ": the connection was refused";
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "cannot read " + what + ": it is not UTF-8 text";
    }
    return "cannot read " + what + ": " + ReadErrors.scrub(e.getMessage());
  }

  private static String read(OpenApiSource source, Path baseDir) throws IOException, InterruptedException {
    int given = (source.file() == null ? 0 : 1) + (source.url() == null ? 0 : 1) + (source.inline() == null ? 0 : 1);
    if (given != 1) {
      throw new IllegalArgumentException("expected exactly one of 'file', 'url' or 'inline' but got " + given);
    }
    if (source.inline() != null) {
      return source.inline();
    }
    if (source.file() != null) {
      Path path = baseDir == null ? Path.of(source.file()) : baseDir.resolve(source.file());
      return Files.readString(path, StandardCharsets.UTF_8);
    }
    URI uri = URI.create(source.url());
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("expected an http or https URL but got '" + source.url() + "'");
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    HttpResponse<String> response = client.send(
        HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IllegalArgumentException("fetching " + uri + " answered HTTP " + response.statusCode());
    }
    return response.body();
  }
}
