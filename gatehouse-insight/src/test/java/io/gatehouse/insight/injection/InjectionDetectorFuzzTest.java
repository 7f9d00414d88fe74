package io.gatehouse.insight.injection;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the injection detector with arbitrary values and bodies: it never throws and gives the same
 * findings for the same input.
 */
class InjectionDetectorFuzzTest {
  private static final InjectionDetector DETECTOR = InjectionDetector.defaults();

  @FuzzTest(maxDuration = "30s")
  @Timeout(10) // per input: JUnit enforces it on each seed, Jazzer passes it to libFuzzer as -timeout
  void inspectsAnyInputDeterministically(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    List<InjectionFinding> value = DETECTOR.inspectValue("query", text);
    assertThat(DETECTOR.inspectValue("query", text)).isEqualTo(value);
    InspectedRequest request = new InspectedRequest("POST", "/" + text, text,
        List.of(Map.entry("Cookie", text), Map.entry("X-Value", text)), null, text);
    assertThat(DETECTOR.inspect(request)).doesNotContainNull();
  }
}
