package io.gatehouse.gateway.internal.validation;

import io.gatehouse.gateway.internal.TestData;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs the JSON-Schema-Test-Suite through {@link SchemaValidator}: each case's schema is compiled
 * as a request body schema and its data is serialized to bytes and validated as a body.
 */
class JsonSchemaTestSuiteTest {
  private static final ObjectMapper SUITE = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  /**
   * Required cases the underlying library gets wrong, as "file / group / case"; each must keep
   * failing (so a library upgrade that fixes one makes this list shrink).
   */
  private static final Set<String> KNOWN_REQUIRED_FAILURES = Set.of();

  record Tally(int passed, int failed, List<String> failures) {}

  static Path suite() {
    return TestData.suite("json-schema-test-suite");
  }

  static Tally run(Path dir, SchemaDialect dialect, boolean recursive, boolean assertFormats) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = recursive ? Files.walk(dir) : Files.list(dir)) {
      files = walk.filter(p -> p.toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
    }
    int passed = 0;
    List<String> failures = new ArrayList<>();
    for (Path file : files) {
      JsonNode groups = SUITE.readTree(file.toFile());
      for (JsonNode group : groups) {
        String groupName = dir.relativize(file) + " / " + group.get("description").asText();
        SchemaValidator validator = null;
        String compileError = null;
        try {
          SchemaValidator.Builder builder = SchemaValidator.builder(dialect);
          if (assertFormats) {
            builder.formatAssertions(true);
          }
          validator = builder
              .mapResources("http://localhost:1234/", suite().resolve("remotes"))
              .compile(group.get("schema"));
        } catch (RuntimeException e) {
          compileError = e.toString();
        }
        for (JsonNode test : group.get("tests")) {
          String name = groupName + " / " + test.get("description").asText();
          boolean expected = test.get("valid").asBoolean();
          if (validator == null) {
            failures.add(name + " [compile: " + compileError + "]");
            continue;
          }
          byte[] body = SUITE.writeValueAsBytes(test.get("data"));
          List<ValidationError> errors;
          try {
            errors = validator.validate(body);
          } catch (RuntimeException e) {
            failures.add(name + " [threw " + e + "]");
            continue;
          }
          if (errors.isEmpty() == expected) {
            passed++;
          } else {
            failures.add(name + " [expected valid=" + expected + ", errors=" + errors + "]");
          }
        }
      }
    }
    return new Tally(passed, failures.size(), failures);
  }

  private static void report(String label, Tally t) {
    System.out.println(label + ": " + t.passed() + " passed, " + t.failed() + " failed");
    t.failures().forEach(f -> System.out.println("  FAIL " + f));
  }

  private static void assertRequired(String draft, SchemaDialect dialect) throws IOException {
    Tally required = run(suite().resolve("tests/" + draft), dialect, false, false);
    report(draft + " required (" + dialect + ")", required);
    Tally optional = run(suite().resolve("tests/" + draft + "/optional"), dialect, false, false);
    report(draft + " optional without format/ (" + dialect + ", not asserted)", optional);
    Tally formats = run(suite().resolve("tests/" + draft + "/optional/format"), dialect, false, true);
    report(draft + " optional/format with format assertions on (" + dialect + ", not asserted)", formats);
    Set<String> unexpected = new TreeSet<>();
    for (String f : required.failures()) {
      String key = f.substring(0, f.indexOf(" ["));
      if (!KNOWN_REQUIRED_FAILURES.contains(key)) {
        unexpected.add(f);
      }
    }
    assertThat(unexpected).as("required cases failing").isEmpty();
    assertThat(required.passed()).isGreaterThan(500);
  }

  @Test
  void passesEveryRequiredDraft202012Case() throws IOException {
    assertRequired("draft2020-12", SchemaDialect.JSON_SCHEMA_2020_12);
  }

  @Test
  void passesEveryRequiredDraft4Case() throws IOException {
    assertRequired("draft4", SchemaDialect.JSON_SCHEMA_DRAFT_4);
  }
}
