package io.gatehouse.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Turns OpenAPI 3.0, 3.1 and Swagger 2.0 documents of at most {@link #MAX_DOCUMENT_SIZE} into
 * operations, resolving documents given as a file or URL into inline text.
 *
 * <p>What an import takes from a document: every operation of {@code paths}, at the path
 * {@code basePath + pathKey}, where the base path is the path of the first entry of
 * {@code servers} (server variables replaced by their defaults; Swagger 2.0: {@code basePath}) and a
 * query or fragment in a path key ({@code /tags/{arn}#tagKeys}) is dropped; its
 * {@code operationId}. References are not expanded here: nothing follows a recursive schema, and
 * a {@code $ref} outside the document is refused.
 */
public final class OpenApiImporter {
  /** The largest document accepted: 64 MiB (bytes of a file or a download, characters of inline text). */
  public static final int MAX_DOCUMENT_SIZE = 64 * 1024 * 1024;
  /** How deeply objects and arrays may nest in a document. */
  static final int MAX_NESTING = 1000;

  private static final String NOT_OPENAPI = "not an OpenAPI 3.x or Swagger 2.0 document";
  private static final String CANNOT_IMPORT = "cannot import the OpenAPI document";
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  private static final Pattern VARIABLE = Pattern.compile("\\{([^{}]*)}");
  private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
      .maxNestingDepth(MAX_NESTING).maxStringLength(MAX_DOCUMENT_SIZE).build();
  private static final ObjectMapper JSON = new ObjectMapper(
      JsonFactory.builder().streamReadConstraints(CONSTRAINTS).build())
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final ObjectMapper YAML;

  static {
    LoaderOptions loader = new LoaderOptions();
    loader.setCodePointLimit(MAX_DOCUMENT_SIZE);
    loader.setNestingDepthLimit(MAX_NESTING);
    YAML = new ObjectMapper(YAMLFactory.builder().loaderOptions(loader).streamReadConstraints(CONSTRAINTS).build())
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  }

  /**
   * An operation as the document declares it.
   *
   * @param operation the operation as imported: method, route path ({@code basePath + pathKey}) and operationId
   * @param pathKey the key under {@code paths}, as written
   */
  private record Declared(OperationDef operation, String pathKey) {}

  /**
   * The operations declared by {@code document}, as {@code METHOD /basePath/path}, with their operationIds.
   *
   * @throws IllegalArgumentException starting "not an OpenAPI 3.x or Swagger 2.0 document" or "cannot
   *     import the OpenAPI document", saying what is wrong
   */
  public List<OperationDef> operations(String document) {
    return declared(readTree(document)).stream().map(Declared::operation).toList();
  }

  /**
   * Returns {@code api} with {@code document} as its inline OpenAPI source and the document's
   * operations merged into its own: an operation of the API named {@code METHOD /path} (or, when
   * the document has a base path, by the document's own path key) or by {@code operationId} takes
   * the document's operation and keeps its policies; the document's other operations follow.
   *
   * @throws OpenApiImportException naming {@code openapi} or {@code operations[N]} and what is wrong
   */
  public ApiDef importInto(ApiDef api, String document) {
    List<Declared> declared;
    try {
      declared = declared(readTree(document));
    } catch (IllegalArgumentException e) {
      throw new OpenApiImportException("openapi", e.getMessage());
    }
    Map<String, OperationDef> byRoute = new LinkedHashMap<>();
    Map<String, OperationDef> byPathKey = new HashMap<>();
    Map<String, OperationDef> byId = new HashMap<>();
    for (Declared d : declared) {
      OperationDef op = byRoute.computeIfAbsent(d.operation().toString(), k -> d.operation());
      byPathKey.putIfAbsent(op.method() + " " + stripQueryAndFragment(d.pathKey()), op);
      if (d.operation().operationId() != null) {
        byId.putIfAbsent(d.operation().operationId(), op);
      }
    }
    Map<String, OperationDef> merged = new LinkedHashMap<>();
    Map<String, Integer> from = new HashMap<>();
    for (int j = 0; j < api.operations().size(); j++) {
      OperationDef own = api.operations().get(j);
      OperationDef target;
      if (!own.resolved()) {
        target = byId.get(own.operationId());
        if (target == null) {
          throw new OpenApiImportException("operations[" + j + "]", "operationId '" + own.operationId()
              + "' is not in the API's OpenAPI document" + known(byId));
        }
      } else {
        target = byRoute.get(own.toString());
        if (target == null) {
          target = byPathKey.get(own.toString());
        }
      }
      OperationDef out = target == null ? own : own.at(target.method(), target.path(), target.operationId());
      Integer previous = from.putIfAbsent(out.toString(), j);
      if (previous != null) {
        throw new OpenApiImportException("operations[" + j + "]", "names the same operation ('" + out
            + "') as operations[" + previous + "]; give its policies once");
      }
      merged.put(out.toString(), out);
    }
    byRoute.forEach(merged::putIfAbsent);
    return api.withOpenapi(OpenApiSource.inline(document)).withOperations(List.copyOf(merged.values()));
  }

  private static String known(Map<String, OperationDef> byId) {
    if (byId.isEmpty()) {
      return "; the document declares no operationId";
    }
    List<String> ids = byId.keySet().stream().sorted().limit(5).toList();
    return "; expected one of " + ids + (byId.size() > ids.size() ? " (and " + (byId.size() - ids.size()) + " more)" : "");
  }

  /**
   * Reads {@code document} as JSON when it starts with <code>{</code>, else as YAML, within
   * {@link #MAX_DOCUMENT_SIZE} and 1000 levels of nesting (decimal numbers kept exact), refusing
   * one that is not OpenAPI 3.x or Swagger 2.0 or has a {@code $ref} outside the document.
   *
   * @throws IllegalArgumentException saying what is wrong, with the line and column where known
   */
  public static JsonNode readTree(String document) {
    if (document.length() > MAX_DOCUMENT_SIZE) {
      throw new IllegalArgumentException(NOT_OPENAPI + ": " + tooLarge(document.length(), "characters"));
    }
    boolean json = looksLikeJson(document);
    JsonNode root;
    try {
      root = (json ? JSON : YAML).readTree(document);
    } catch (JsonProcessingException e) {
      ConfigProblem p = ReadErrors.describe(e, json ? "JSON" : "YAML");
      throw new IllegalArgumentException(NOT_OPENAPI + ": " + p);
    } catch (IOException | RuntimeException e) {
      // SnakeYAML reports some limits (code points, nesting, aliases) as its own exceptions.
      throw new IllegalArgumentException(NOT_OPENAPI + ": not valid " + (json ? "JSON" : "YAML") + ": "
          + ReadErrors.scrub(e.getMessage()));
    } catch (StackOverflowError e) {
      throw new IllegalArgumentException(NOT_OPENAPI + ": nested too deeply to read");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(NOT_OPENAPI + ": expected an object with an 'openapi' or 'swagger' field");
    }
    JsonNode openapi = root.get("openapi");
    JsonNode swagger = root.get("swagger");
    if (openapi == null && swagger == null) {
      throw new IllegalArgumentException(NOT_OPENAPI + ": no 'openapi' or 'swagger' field");
    }
    if (openapi != null ? !openapi.asText().startsWith("3.") : !swagger.asText().equals("2.0")) {
      throw new IllegalArgumentException(NOT_OPENAPI + ": expected 'openapi: 3.0.x' or '3.1.x', or 'swagger: \"2.0\"' but got "
          + (openapi != null ? "openapi: '" + shorten(openapi.asText()) + "'" : "swagger: '" + shorten(swagger.asText()) + "'"));
    }
    refuseExternalReferences(root);
    return root;
  }

  private static boolean looksLikeJson(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        return true;
      }
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\uFEFF') {
        return false;
      }
    }
    return false;
  }

  private static String tooLarge(long size, String unit) {
    return String.format(Locale.ROOT, "the document has %d %s (%.1f MB), larger than the %d MB limit",
        size, unit, size / 1048576.0, MAX_DOCUMENT_SIZE / 1048576);
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /**
   * The base path of {@code document}'s operations: the path of its first server's URL with the
   * server variables' defaults substituted, repeated {@code /} collapsed and no trailing {@code /} (Swagger 2.0: {@code basePath});
   * {@code ""} when there is none.
   *
   * @throws IllegalArgumentException when the path uses a variable without a default or cannot be
   *     matched by a request
   */
  public static String basePath(JsonNode document) {
    String url;
    JsonNode variables = null;
    String at;
    if (document.has("swagger")) {
      url = document.path("basePath").asText("");
      at = "basePath";
    } else {
      JsonNode first = document.path("servers").path(0);
      url = first.path("url").asText("");
      variables = first.path("variables");
      at = "servers[0].url";
    }
    Matcher m = VARIABLE.matcher(url);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      JsonNode def = variables == null ? null : variables.path(m.group(1)).get("default");
      if (def == null || !def.isValueNode()) {
        throw new IllegalArgumentException(at + " '" + shorten(url) + "' uses the variable {" + m.group(1)
            + "} without a default; give it a 'default' under servers[0].variables");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(def.asText()));
    }
    m.appendTail(sb);
    String path = sb.toString();
    int cut = indexOfAny(path, "?#");
    if (cut >= 0) {
      path = path.substring(0, cut);
    }
    int scheme = path.indexOf("://");
    if (scheme >= 0 && path.substring(0, scheme).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      path = path.substring(scheme + 1);
    }
    if (path.startsWith("//")) {
      int slash = path.indexOf('/', 2);
      path = slash < 0 ? "" : path.substring(slash);
    } else if (path.equals(".") || path.startsWith("./")) {
      path = path.substring(1);
    }
    path = path.replaceAll("/{2,}", "/"); // https://host/{basePath} with basePath '/v1' means /v1
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!path.isEmpty() && !path.startsWith("/")) {
      path = "/" + path;
    }
    if (!path.isEmpty()) {
      String problem = ConfigValidator.unmatchablePath(path);
      if (problem == null && (path.indexOf('{') >= 0 || path.indexOf('}') >= 0)) {
        problem = "expected no '{' or '}' in it";
      }
      if (problem != null) {
        throw new IllegalArgumentException(at + " '" + shorten(url) + "' has the path '" + shorten(path)
            + "', which cannot be a base path: " + problem);
      }
    }
    return path;
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The route of the path key {@code pathKey} under {@code basePath}: the key without a query or
   * fragment, prefixed by the base path.
   */
  public static String routePath(String basePath, String pathKey) {
    return basePath + stripQueryAndFragment(pathKey);
  }

  private static String stripQueryAndFragment(String pathKey) {
    int cut = indexOfAny(pathKey, "?#");
    return cut < 0 ? pathKey : pathKey.substring(0, cut);
  }

  private static List<Declared> declared(JsonNode root) {
    try {
      return declaredOrFail(root);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(CANNOT_IMPORT + ": " + e.getMessage(), e);
    }
  }

  private static List<Declared> declaredOrFail(JsonNode root) {
    String base = basePath(root);
    List<Declared> out = new ArrayList<>();
    JsonNode paths = root.get("paths");
    if (paths == null || paths.isNull()) {
      return out;
    }
    if (!paths.isObject()) {
      throw new IllegalArgumentException("expected 'paths' to be an object");
    }
    Iterator<Map.Entry<String, JsonNode>> it = paths.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (key.startsWith("x-")) {
        continue; // an extension, not a path
      }
      String at = "paths['" + shorten(key) + "']";
      JsonNode item = resolve(root, e.getValue(), at);
      if (!item.isObject()) {
        throw new IllegalArgumentException(at + ": expected a path item object");
      }
      String route = routePath(base, key);
      String problem = !key.startsWith("/") ? "expected a path starting with '/'" : ConfigValidator.unmatchablePath(route);
      if (problem == null) {
        try {
          PathTemplate.parse(route);
        } catch (IllegalArgumentException x) {
          problem = x.getMessage();
        }
      }
      for (String method : METHODS) {
        JsonNode op = item.get(method);
        if (op == null || !op.isObject()) {
          continue;
        }
        if (problem != null) {
          throw new IllegalArgumentException(at + ": " + problem);
        }
        JsonNode id = op.get("operationId");
        out.add(new Declared(new OperationDef(method.toUpperCase(Locale.ROOT), route, null,
            id != null && id.isTextual() && !id.asText().isBlank() ? id.asText() : null), key));
      }
    }
    return out;
  }

  /** Follows a path item's local {@code $ref} chain (at most 20 hops). */
  private static JsonNode resolve(JsonNode root, JsonNode node, String at) {
    for (int hops = 0; node.isObject() && node.has("$ref"); hops++) {
      String ref = node.get("$ref").asText();
      if (hops >= 20) {
        throw new IllegalArgumentException(at + ": more than 20 $ref hops (a reference cycle?)");
      }
      JsonNode target;
      try {
        target = root.at(ref.substring(1));
      } catch (IllegalArgumentException e) {
        target = null;
      }
      if (target == null || target.isMissingNode()) {
        throw new IllegalArgumentException(at + ": $ref '" + shorten(ref) + "' points to nothing in the document");
      }
      node = target;
    }
    return node;
  }

  /**
   * Parses {@code document} into the OpenAPI model with references inside the document left as
   * references (schemas are never expanded, so recursive schemas stay finite), failing with a
   * clear message when it is not a usable OpenAPI or Swagger document.
   */
  public OpenAPI parse(String document) {
    JsonNode root = readTree(document);
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(false);
    SwaggerParseResult result;
    try {
      if (root.has("openapi")) {
        result = new OpenAPIV3Parser().parseJsonNode(null, root, options);
      } else {
        // Swagger 2.0 is converted by the parser from text: hand it JSON, which has no size limit there.
        result = new OpenAPIParser().readContents(JSON.writeValueAsString(root), null, options);
      }
    } catch (StackOverflowError e) {
      throw new IllegalArgumentException(NOT_OPENAPI + ": its structure is nested or recursive too deeply to read");
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException(NOT_OPENAPI + ": " + ReadErrors.scrub(e.getMessage()));
    }
    if (result == null || result.getOpenAPI() == null) {
      List<String> messages = result == null || result.getMessages() == null ? List.of() : result.getMessages();
      throw new IllegalArgumentException(NOT_OPENAPI
          + (messages.isEmpty() ? "" : ": " + ReadErrors.scrub(String.join("; ", messages))));
    }
    return result.getOpenAPI();
  }

  /**
   * Refuses a {@code $ref} that points outside the document: the parser would fetch a URL or read
   * a local file for it, from a document that may have arrived over the management API.
   */
  private static void refuseExternalReferences(JsonNode root) {
    ArrayDeque<JsonNode> todo = new ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      JsonNode node = todo.pop();
      JsonNode ref = node.isObject() ? node.get("$ref") : null;
      if (ref != null && ref.isTextual() && !ref.asText().startsWith("#")) {
        throw new IllegalArgumentException(NOT_OPENAPI + " without external references:"
            + " $ref '" + shorten(ref.asText()) + "' points outside the document; expected a local reference ('#/...'),"
            + " inline the referenced schema");
      }
      if (node.isContainerNode()) {
        node.elements().forEachRemaining(todo::push);
      }
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
      String at = "apis[" + i + "]";
      try {
        apis.add(importInto(api, read(api.openapi(), baseDir)));
      } catch (OpenApiImportException e) {
        problems.add(ConfigProblem.at(at + "." + e.field(), e.getMessage()));
        apis.add(api.withOpenapi(null)); // one cause, one message: the validator must not report the source again
      } catch (IllegalArgumentException e) {
        problems.add(ConfigProblem.at(at + ".openapi", ReadErrors.scrub(e.getMessage())));
        apis.add(api.withOpenapi(null));
      } catch (IOException e) {
        problems.add(ConfigProblem.at(at + ".openapi", unreadable(api.openapi(), e)));
        apis.add(api.withOpenapi(null));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problems.add(ConfigProblem.at(at + ".openapi", "interrupted while fetching the document"));
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
      long size = Files.size(path);
      if (size > MAX_DOCUMENT_SIZE) {
        throw new IllegalArgumentException("file '" + source.file() + "': " + tooLarge(size, "bytes"));
      }
      return Files.readString(path, StandardCharsets.UTF_8);
    }
    URI uri = URI.create(source.url());
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("expected an http or https URL but got '" + source.url() + "'");
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    HttpResponse<InputStream> response = client.send(
        HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        throw new IllegalArgumentException("fetching " + uri + " answered HTTP " + response.statusCode());
      }
      byte[] bytes = in.readNBytes(MAX_DOCUMENT_SIZE + 1);
      if (bytes.length > MAX_DOCUMENT_SIZE) {
        throw new IllegalArgumentException("fetching " + uri + ": the document is larger than the "
            + MAX_DOCUMENT_SIZE / 1048576 + " MB limit");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
