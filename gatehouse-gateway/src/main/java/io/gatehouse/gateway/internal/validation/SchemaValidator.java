package io.gatehouse.gateway.internal.validation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.path.PathType;
import com.networknt.schema.resource.InputStreamSource;
import com.networknt.schema.resource.ResourceLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates JSON documents against one JSON Schema that was compiled once, up front; immutable and
 * thread-safe, so one instance serves every request of a configuration snapshot.
 *
 * <p>Bodies are parsed strictly: duplicate member names, trailing content and nesting deeper than
 * {@value #MAX_NESTING_DEPTH} are malformed JSON (duplicate names are refused because the
 * gateway and the backend could read different values). A malformed body yields one error at
 * location {@code ""}. At most {@code maxErrors} errors are returned. References resolve only to
 * the schema itself, the built-in meta-schemas and directories mapped with
 * {@link Builder#mapResources}: nothing is fetched from the network.
 */
public final class SchemaValidator {
  /** Default {@link Builder#maxErrors(int)}. */
  public static final int DEFAULT_MAX_ERRORS = 20;
  /** Deepest accepted nesting of a validated body. */
  public static final int MAX_NESTING_DEPTH = 500;

  private static final ObjectMapper BODY_MAPPER = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  static {
    BODY_MAPPER.getFactory().setStreamReadConstraints(
        StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
  }

  private final Schema schema;
  private final int maxErrors;

  private SchemaValidator(Schema schema, int maxErrors) {
    this.schema = schema;
    this.maxErrors = maxErrors;
  }

  /** Compiles {@code schema} in {@code dialect} with default options. */
  public static SchemaValidator compile(JsonNode schema, SchemaDialect dialect) {
    return builder(dialect).compile(schema);
  }

  /** Returns a builder for schemas read in {@code dialect}. */
  public static Builder builder(SchemaDialect dialect) {
    return new Builder(requireNonNull(dialect, "dialect"));
  }

  /** Parses {@code json} strictly and validates it; an empty list means valid. */
  public List<ValidationError> validate(byte[] json) {
    requireNonNull(json, "json");
    JsonNode node;
    try {
      node = BODY_MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return List.of(new ValidationError("", "malformed JSON: " + describe(e)));
    } catch (IOException e) {
      return List.of(new ValidationError("", "malformed JSON: " + e.getMessage()));
    }
    if (node == null || node.isMissingNode()) {
      return List.of(new ValidationError("", "malformed JSON: empty body"));
    }
    return validate(node);
  }

  /** Validates an already parsed document; an empty list means valid. */
  public List<ValidationError> validate(JsonNode json) {
    requireNonNull(json, "json");
    List<Error> errors = schema.validate(json);
    if (errors.isEmpty()) {
      return List.of();
    }
    int n = Math.min(errors.size(), maxErrors);
    List<ValidationError> result = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Error e = errors.get(i);
      result.add(new ValidationError(e.getInstanceLocation().toString(), e.getMessage()));
    }
    return List.copyOf(result);
  }

  /** Parses {@code json} with the same strict rules as {@link #validate(byte[])}. */
  public static JsonNode parse(byte[] json) throws IOException {
    return BODY_MAPPER.readTree(json);
  }

  private static String describe(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return e.getOriginalMessage() + where;
  }

  /** Collects compile options; not thread-safe. */
  public static final class Builder {
    private final SchemaDialect dialect;
    private int maxErrors = DEFAULT_MAX_ERRORS;
    private final Map<String, Path> resources = new LinkedHashMap<>();
    private Boolean formatAssertions;

    private Builder(SchemaDialect dialect) {
      this.dialect = dialect;
    }

    /** Caps the number of errors one validation returns. */
    public Builder maxErrors(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxErrors: expected >= 1, got " + max);
      }
      this.maxErrors = max;
      return this;
    }

    /**
     * Makes {@code format} an assertion ({@code true}) or an annotation ({@code false}); by
     * default the dialect decides (draft 4 and OpenAPI 3.0 assert, draft 2020-12 annotates).
     */
    public Builder formatAssertions(boolean assertFormats) {
      this.formatAssertions = assertFormats;
      return this;
    }

    /**
     * Resolves references starting with {@code uriPrefix} (for example
     * {@code http://localhost:1234/}) to files under {@code directory}, never over the network.
     */
    public Builder mapResources(String uriPrefix, Path directory) {
      requireNonNull(uriPrefix, "uriPrefix");
      requireNonNull(directory, "directory");
      if (!Files.isDirectory(directory)) {
        throw new IllegalArgumentException("mapResources: expected a directory, got " + directory);
      }
      resources.put(uriPrefix, directory.toAbsolutePath().normalize());
      return this;
    }

    /**
     * Compiles {@code schemaNode}, resolving every reference now.
     *
     * @throws IllegalArgumentException when the schema is invalid or a reference cannot resolve
     */
    public SchemaValidator compile(JsonNode schemaNode) {
      requireNonNull(schemaNode, "schemaNode");
      Map<String, Path> mapped = Map.copyOf(resources);
      SchemaRegistryConfig config = SchemaRegistryConfig.builder()
          .pathType(PathType.JSON_POINTER)
          .formatAssertionsEnabled(formatAssertions)
          .build();
      SchemaRegistry registry = SchemaRegistry.withDefaultDialect(dialect.dialect(), b -> b
          .schemaRegistryConfig(config)
          .schemaLoader(loader -> loader
              .fetchRemoteResources(false)
              .resourceLoaders(r -> r.add(new MappedResourceLoader(mapped)))));
      try {
        Schema schema = registry.getSchema(SchemaLocation.of("urn:gatehouse:schema"), schemaNode);
        schema.initializeValidators();
        return new SchemaValidator(schema, maxErrors);
      } catch (SchemaException | IllegalStateException e) {
        throw new IllegalArgumentException("invalid schema: " + e.getMessage(), e);
      }
    }
  }

  /** Loads mapped URIs from local directories, refusing paths that escape them. */
  private static final class MappedResourceLoader implements ResourceLoader {
    private final Map<String, Path> mapped;

    MappedResourceLoader(Map<String, Path> mapped) {
      this.mapped = mapped;
    }

    @Override
    public InputStreamSource getResource(com.networknt.schema.AbsoluteIri iri) {
      String uri = iri.toString();
      for (Map.Entry<String, Path> e : mapped.entrySet()) {
        if (uri.startsWith(e.getKey())) {
          String relative = uri.substring(e.getKey().length());
          int cut = relative.indexOf('#');
          if (cut >= 0) {
            relative = relative.substring(0, cut);
          }
          Path file = e.getValue().resolve(relative).normalize();
          if (file.startsWith(e.getValue()) && Files.isRegularFile(file)) {
            return () -> Files.newInputStream(file);
          }
        }
      }
      return null;
    }
  }
}
