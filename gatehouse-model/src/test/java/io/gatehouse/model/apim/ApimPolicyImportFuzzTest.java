package io.gatehouse.model.apim;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the APIM policy XML importer with arbitrary text: it either converts (and the result
 * renders as YAML) or throws {@link ApimPolicyImport.ImportException} with a message.
 */
class ApimPolicyImportFuzzTest {

  @FuzzTest(maxDuration = "30s")
  @Timeout(10) // per input: JUnit enforces it on each seed, Jazzer passes it to libFuzzer as -timeout
  void convertsOrRefuses(byte[] input) {
    String xml = new String(input, StandardCharsets.UTF_8);
    try {
      ApimPolicyImport.Result result = ApimPolicyImport.convert(xml);
      assertThat(result.yaml()).isNotNull();
      assertThat(result.unconverted()).doesNotContainNull();
    } catch (ApimPolicyImport.ImportException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
