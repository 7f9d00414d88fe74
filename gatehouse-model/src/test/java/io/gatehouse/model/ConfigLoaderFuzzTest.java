package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the configuration loader with arbitrary YAML/JSON text: it either returns a configuration
 * or throws {@link ConfigException} with at least one problem; nothing else escapes.
 */
class ConfigLoaderFuzzTest {
  private static final ConfigLoader LOADER = ConfigLoader.withEnvironment(Map.of("FUZZ", "value")).inlineDocumentsOnly();

  @FuzzTest(maxDuration = "30s")
  @Timeout(10) // per input: JUnit enforces it on each seed, Jazzer passes it to libFuzzer as -timeout
  void loadsOrReportsProblems(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      assertThat(LOADER.parse(text, "fuzz.yaml", Path.of("."))).isNotNull();
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
