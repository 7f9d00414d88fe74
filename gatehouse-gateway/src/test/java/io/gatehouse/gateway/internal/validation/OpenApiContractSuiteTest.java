package io.gatehouse.gateway.internal.validation;

import io.gatehouse.gateway.internal.TestData;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs every required case of the JSON-Schema-Test-Suite through the validator that
 * {@code validate-content} compiles: each case's schema becomes the {@code application/json}
 * request body schema of {@code POST /t} in a generated OpenAPI document (3.1 for draft 2020-12,
 * 3.0 for draft 4), the document is compiled by {@link OpenApiContract}, and each case's data is
 * serialized to bytes and validated as the request body.
 */
class OpenApiContractSuiteTest {
  private static final ObjectMapper SUITE = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  record Tally(int groups, int passed, List<String> failures) {}

  static Tally run(String draft, String openapi) throws IOException {
    Path suite = TestData.suite("json-schema-test-suite");
    Path dir = suite.resolve("tests/" + draft);
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
    }
    int groups = 0;
    int passed = 0;
    List<String> failures = new ArrayList<>();
    for (Path file : files) {
      for (JsonNode group : SUITE.readTree(file.toFile())) {
        groups++;
        String groupName = file.getFileName() + " / " + group.get("description").asText();
        ObjectNode doc = SUITE.createObjectNode();
        doc.put("openapi", openapi);
        doc.putObject("info").put("title", "suite").put("version", "1");
        doc.putObject("paths").putObject("/t").putObject("post")
            .putObject("requestBody").put("required", true)
            .putObject("content").putObject("application/json").set("schema", group.get("schema"));
        SchemaValidator validator = null;
        String compileError = null;
        try {
          OpenApiContract contract = OpenApiContract.compile(doc, Map.of("http://localhost:1234/", suite.resolve("remotes")));
          validator = contract.operation("POST /t").requestMedia("application/json; charset=utf-8").schema();
        } catch (RuntimeException e) {
          compileError = e.toString();
        }
        for (JsonNode test : group.get("tests")) {
          String name = groupName + " / " + test.get("description").asText();
          if (validator == null) {
            failures.add(name + " [compile: " + compileError + "]");
            continue;
          }
          boolean expected = test.get("valid").asBoolean();
          List<ValidationError> errors = validator.validate(SUITE.writeValueAsBytes(test.get("data")));
          if (errors.isEmpty() == expected) {
            passed++;
          } else {
            failures.add(name + " [expected valid=" + expected + ", errors=" + errors + "]");
          }
        }
      }
    }
    return new Tally(groups, passed, failures);
  }

  static void assertAllPass(String draft, String openapi) throws IOException {
    Tally t = run(draft, openapi);
    System.out.println("validate-content contract path, " + draft + " as OpenAPI " + openapi + ": "
        + t.passed() + " passed, " + t.failures().size() + " failed, " + t.groups() + " schemas");
    t.failures().forEach(f -> System.out.println("  FAIL " + f));
    assertThat(t.failures()).as("required cases failing").isEmpty();
    assertThat(t.passed()).isGreaterThan(500);
  }

  @Test
  void passesEveryRequiredDraft202012CaseAsOpenApi31RequestBody() throws IOException {
    assertAllPass("draft2020-12", "3.1.0");
  }

  @Test
  void passesEveryRequiredDraft4CaseAsOpenApi30RequestBody() throws IOException {
    assertAllPass("draft4", "3.0.3");
  }
}
