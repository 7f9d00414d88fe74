package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration errors say what was expected, where (file:line, field path), once, in words. */
class ReadableErrorsTest {
  static final String BACKEND = "backends:\n  - name: b\n    url: http://127.0.0.1:1\n";

  static List<ConfigProblem> problems(String yaml, Path baseDir) {
    try {
      ConfigLoader.withEnvironment(Map.of()).parse(yaml, "g.yaml", baseDir);
    } catch (ConfigException e) {
      for (ConfigProblem p : e.problems()) {
        assertThat(p.toString()).doesNotContain("Cannot deserialize").doesNotContain("java.")
            .doesNotContain("JsonToken").doesNotContain("in 'reader'").doesNotContain("Unrecognized field")
            .doesNotContain("String.trim");
      }
      return e.problems();
    }
    throw new AssertionError("expected the configuration to be refused");
  }

  @Test
  void translatesJacksonTypeNamesIntoWords() {
    assertThat(ReadErrors.scrub(
        "Cannot deserialize value of type `java.lang.String` from Array value (token `JsonToken.START_ARRAY`)"))
        .isEqualTo("expected a string but got a list");
    assertThat(ReadErrors.scrub(
        "Cannot deserialize value of type java.lang.String from Array value (token JsonToken.START_ARRAY)"))
        .isEqualTo("expected a string but got a list");
    assertThat(ReadErrors.scrub("Cannot deserialize value of type `java.util.ArrayList<java.lang.Object>` from Object value"))
        .isEqualTo("expected a list but got an object");
  }

  @Test
  void saysWhatWasExpectedInOperationPoliciesWithFileLineAndPath() {
    List<ConfigProblem> unknown = problems(BACKEND + """
        apis:
          - name: a
            path: /a
            backend: b
            operations:
              - operation: GET /x
                policies: {bogus: 1}
        """, null);
    assertThat(unknown).singleElement().hasToString(
        "g.yaml:9: apis[0].operations[0]: policies.bogus: unknown field 'bogus'; expected one of [backend, inbound, on-error, outbound]");
    List<ConfigProblem> list = problems(BACKEND + """
        apis:
          - name: a
            path: /a
            backend: b
            operations:
              - operation: GET /x
                policies: [x]
        """, null);
    assertThat(list).singleElement().hasToString("g.yaml:9: apis[0].operations[0]: policies: expected an object but got a list");
  }

  @Test
  void saysADurationWasExpectedWhenAListIsGiven() {
    List<ConfigProblem> p = problems(BACKEND + """
        apis:
          - name: a
            path: /a
            backend: b
            websocket: {idleTimeout: [5s]}
        """, null);
    assertThat(p).singleElement().hasToString(
        "g.yaml:8:30: apis[0].websocket.idleTimeout: expected a duration such as 30s but got a list");
  }

  @Test
  void yamlSyntaxErrorsDoNotNameTheParsersInput() {
    List<ConfigProblem> p = problems("apis:\n  - name: a\n    path: /a\n   backend: b\n", null);
    assertThat(p).singleElement().satisfies(one -> assertThat(one.toString())
        .startsWith("g.yaml:4:4: ").contains("at line 2, column 3").contains("not valid YAML"));
  }

  @Test
  void aMissingOpenApiFileIsOneProblemSaidOnce(@TempDir Path dir) {
    List<ConfigProblem> p = problems(BACKEND + """
        apis:
          - name: a
            path: /a
            backend: b
            openapi: {file: nope.yaml}
        """, dir);
    assertThat(p).singleElement().hasToString("g.yaml:8: apis[0].openapi: cannot read the OpenAPI file 'nope.yaml': "
        + "no such file (a relative path is resolved against the configuration file's folder)");
  }

  @Test
  void aMalformedOpenApiFileIsOneProblemSaidOnce(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), "openapi: [3\n");
    List<ConfigProblem> p = problems(BACKEND + """
        apis:
          - name: a
            path: /a
            backend: b
            openapi: {file: bad.yaml}
        """, dir);
    assertThat(p).singleElement().satisfies(one -> assertThat(one.toString())
        .startsWith("g.yaml:8: apis[0].openapi: not an OpenAPI 3.x or Swagger 2.0 document"));
  }
}
