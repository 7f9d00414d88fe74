package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationConverterTest {
  private final DurationConverter converter = new DurationConverter();

  @Test
  void readsTheShortFormsAndIso8601Alike() {
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(converter.convert("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(converter.convert("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(converter.convert("PT0.3S")).isEqualTo(Duration.ofMillis(300));
    assertThat(converter.convert(" 0s ")).isEqualTo(Duration.ZERO);
  }

  @Test
  void refusesNegativeAndMalformedDurationsNamingTheText() {
    assertThatThrownBy(() -> converter.convert("-5s")).hasMessageContaining("'-5s'");
    assertThatThrownBy(() -> converter.convert("ten seconds"))
        .hasMessageContaining("such as 500ms, 90s, 10m or 1h30m").hasMessageContaining("'ten seconds'");
    assertThatThrownBy(() -> converter.convert("ms")).hasMessageContaining("'ms'");
  }
}
