package io.gatehouse.gateway.internal.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaValidatorTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static final String ORDER = """
      {"type":"object","required":["items"],"additionalProperties":false,
       "properties":{"customer":{"type":"string","maxLength":20},
         "items":{"type":"array","minItems":1,"items":{"type":"object","required":["sku","price"],
           "properties":{"sku":{"type":"string","pattern":"^[A-Z]{3}-[0-9]+$"},
             "price":{"type":"number","minimum":0},"qty":{"type":"integer","minimum":1}}}}}}""";

  @Test
  void acceptsValidBody() {
    SchemaValidator v = SchemaValidator.compile(json(ORDER), SchemaDialect.OPENAPI_3_1);
    assertThat(v.validate(bytes("{\"customer\":\"ann\",\"items\":[{\"sku\":\"ABC-1\",\"price\":9.5,\"qty\":2}]}"))).isEmpty();
  }

  @Test
  void locatesErrorsWithJsonPointers() {
    SchemaValidator v = SchemaValidator.compile(json(ORDER), SchemaDialect.OPENAPI_3_1);
    List<ValidationError> errors = v.validate(bytes(
        "{\"items\":[{\"sku\":\"ABC-1\",\"price\":1},{\"sku\":\"bad\",\"price\":-1}],\"extra\":1}"));
    assertThat(errors).extracting(ValidationError::location)
        .contains("/items/1/sku", "/items/1/price", "");
    assertThat(errors).filteredOn(e -> e.location().equals("/items/1/price"))
        .singleElement().extracting(ValidationError::message).asString().contains("0");
    assertThat(v.validate(bytes("[]"))).singleElement().extracting(ValidationError::location).isEqualTo("");
  }

  @Test
  void reportsMalformedJsonAtTheRoot() {
    SchemaValidator v = SchemaValidator.compile(json(ORDER), SchemaDialect.OPENAPI_3_1);
    for (String bad : List.of("{\"items\":[", "", "{} {}", "{\"a\":1,\"a\":2}", "NaN", "{'a':1}")) {
      List<ValidationError> errors = v.validate(bytes(bad));
      assertThat(errors).as(bad).singleElement().satisfies(e -> {
        assertThat(e.location()).isEmpty();
        assertThat(e.message()).startsWith("malformed JSON");
      });
    }
    assertThat(v.validate(bytes("{\"a\":1,\"a\":2}")).get(0).message()).contains("Duplicate field 'a'");
  }

  @Test
  void refusesExcessiveNestingAsMalformed() {
    SchemaValidator v = SchemaValidator.compile(json("{}"), SchemaDialect.JSON_SCHEMA_2020_12);
    String deep = "[".repeat(2000) + "]".repeat(2000);
    assertThat(v.validate(bytes(deep))).singleElement().extracting(ValidationError::message)
        .asString().startsWith("malformed JSON").contains("nesting depth");
  }

  @Test
  void capsTheNumberOfErrors() {
    JsonNode schema = json("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
    String body = "[" + "1,".repeat(99) + "1]";
    assertThat(SchemaValidator.compile(schema, SchemaDialect.OPENAPI_3_1).validate(bytes(body)))
        .hasSize(SchemaValidator.DEFAULT_MAX_ERRORS);
    assertThat(SchemaValidator.builder(SchemaDialect.OPENAPI_3_1).maxErrors(3).compile(schema).validate(bytes(body)))
        .hasSize(3);
  }

  @Test
  void openApi30ReadsNullableAndBooleanExclusiveMinimum() {
    JsonNode schema = json("{\"type\":\"object\",\"properties\":{"
        + "\"name\":{\"type\":\"string\",\"nullable\":true},"
        + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"exclusiveMinimum\":true}}}");
    SchemaValidator v = SchemaValidator.compile(schema, SchemaDialect.OPENAPI_3_0);
    assertThat(v.validate(bytes("{\"name\":null,\"age\":1}"))).isEmpty();
    assertThat(v.validate(bytes("{\"age\":0}"))).extracting(ValidationError::location).containsExactly("/age");
    SchemaValidator notNullable = SchemaValidator.compile(
        json("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}"), SchemaDialect.OPENAPI_3_0);
    assertThat(notNullable.validate(bytes("{\"name\":null}"))).extracting(ValidationError::location).containsExactly("/name");
  }

  @Test
  void openApi31UsesDraft202012Semantics() {
    JsonNode schema = json("{\"type\":[\"string\",\"null\"],\"exclusiveMinimum\":5}");
    SchemaValidator v = SchemaValidator.compile(schema, SchemaDialect.OPENAPI_3_1);
    assertThat(v.validate(bytes("null"))).isEmpty();
    assertThat(v.validate(bytes("\"x\""))).isEmpty();
    assertThat(v.validate(bytes("3"))).isNotEmpty();
    JsonNode numeric = json("{\"type\":\"number\",\"exclusiveMinimum\":5}");
    assertThat(SchemaValidator.compile(numeric, SchemaDialect.OPENAPI_3_1).validate(bytes("5"))).hasSize(1);
  }

  @Test
  void neverFetchesRemoteReferences() {
    JsonNode schema = json("{\"$ref\":\"http://127.0.0.1:9/never.json\"}");
    assertThatThrownBy(() -> SchemaValidator.compile(schema, SchemaDialect.JSON_SCHEMA_2020_12).validate(bytes("1")))
        .isInstanceOf(RuntimeException.class);
  }

}
