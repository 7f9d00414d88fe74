package io.gatehouse.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.gatehouse.model.internal.DurationFormat;
import java.io.IOException;
import java.time.Duration;

/**
 * The one place that says how the model maps to JSON and YAML: strict about unknown fields and
 * duplicate keys (every reader of management request bodies and configuration files uses these
 * mappers), durations as {@code 30s}, instants as ISO-8601.
 */
public final class ConfigMapper {
  private static final ObjectMapper JSON = configure(new ObjectMapper());
  private static final ObjectMapper YAML =
      configure(
          new ObjectMapper(
              YAMLFactory.builder()
                  .loaderOptions(loaderOptions())
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                  .build()));

  /**
   * The largest YAML text read, in code points: 1 GiB, so a configuration file carrying large
   * OpenAPI documents inline loads (the YAML parser's own default is 3 MB). Management request
   * bodies are bounded far below this by the management server.
   */
  static final int MAX_YAML_CODE_POINTS = 1 << 30;

  private ConfigMapper() {}

  private static org.yaml.snakeyaml.LoaderOptions loaderOptions() {
    org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
    options.setCodePointLimit(MAX_YAML_CODE_POINTS);
    return options;
  }

  /** The JSON mapper; thread-safe, do not reconfigure. */
  public static ObjectMapper json() {
    return JSON;
  }

  /** The YAML mapper; thread-safe, do not reconfigure. */
  public static ObjectMapper yaml() {
    return YAML;
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    SimpleModule durations = new SimpleModule("gatehouse-durations");
    durations.addDeserializer(Duration.class, new JsonDeserializer<>() {
      @Override
      public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
        if (p.currentToken().isNumeric()) {
          return Duration.ofSeconds(p.getLongValue());
        }
        if (p.currentToken() != com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
          return (Duration) ctx.handleUnexpectedToken(Duration.class, p); // "expected a duration but got a list"
        }
        try {
          return DurationFormat.parse(p.getValueAsString());
        } catch (IllegalArgumentException e) {
          return (Duration) ctx.handleWeirdStringValue(Duration.class, p.getValueAsString(), e.getMessage());
        }
      }
    });
    durations.addSerializer(Duration.class, new JsonSerializer<>() {
      @Override
      public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers)
          throws IOException {
        gen.writeString(DurationFormat.format(value));
      }
    });
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return mapper
        .registerModule(new JavaTimeModule())
        .registerModule(durations)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
  }
}
