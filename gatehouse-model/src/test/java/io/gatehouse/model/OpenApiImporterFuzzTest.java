package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the OpenAPI importer with arbitrary document text: it either returns operations or throws
 * {@link IllegalArgumentException} saying why the document is not usable (never another exception
 * or an error such as a stack overflow).
 */
class OpenApiImporterFuzzTest {
  private static final OpenApiImporter IMPORTER = new OpenApiImporter();

  @FuzzTest(maxDuration = "30s")
  @Timeout(10) // per input: JUnit enforces it on each seed, Jazzer passes it to libFuzzer as -timeout
  void importsOperationsOrRefuses(byte[] input) {
    String document = new String(input, StandardCharsets.UTF_8);
    try {
      assertThat(IMPORTER.operations(document)).doesNotContainNull();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).matches("(?s)(not an OpenAPI 3.x or Swagger 2.0 document|cannot import the OpenAPI document).*");
    }
  }
}
