package io.gatehouse.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessLogRedactionTest {

  @Test
  void replacesEveryQueryValueKeepingNames() {
    assertThat(AccessLog.redactQuery("a=1&b=two&c")).isEqualTo("a=***&b=***&c");
    assertThat(AccessLog.redactQuery("key=x=y")).isEqualTo("key=***");
    assertThat(AccessLog.redactQuery("a=&&b=2")).isEqualTo("a=***&&b=***");
    assertThat(AccessLog.redactQuery("flag")).isEqualTo("flag");
  }

  @Test
  void keepsAbsentAndEmptyQueries() {
    assertThat(AccessLog.redactQuery(null)).isNull();
    assertThat(AccessLog.redactQuery("")).isEmpty();
  }
}
