package io.gatehouse.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostNameTest {

  @Test
  void normalizesCaseTrailingDotAndPort() {
    assertThat(HostName.parse("A.Example.")).isEqualTo(new HostName("a.example", -1));
    assertThat(HostName.parse("a.example.:8080")).isEqualTo(new HostName("a.example", 8080));
    assertThat(HostName.parse("a.example:")).isEqualTo(new HostName("a.example", -1));
    assertThat(HostName.parse("10.0.0.1:80").authority()).isEqualTo("10.0.0.1:80");
    assertThat(HostName.parse("[::1]:8443")).isEqualTo(new HostName("[::1]", 8443));
    assertThat(HostName.parse("[2001:DB8::1]").host()).isEqualTo("[2001:db8::1]");
  }

  @Test
  void refusesMalformedHosts() {
    for (String host : List.of("a.example,b", "[a.example]", "a.example%00", "a..example", ".a", "a.example..",
        "::1", "[::1", "[::1]x", "[fe80::1%25eth0]", "a.example:99999", "a.example:8o", "a b", "a/b", "u@a",
        "a.example;x", "")) {
      assertThat(HostName.parse(host)).as(host).isNull();
    }
    assertThat(HostName.parse("x".repeat(64) + ".example")).isNull();
  }
}
