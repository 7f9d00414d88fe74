package io.gatehouse.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {
  @Test
  void matchesIpv4AndIpv6RangesAndMappedAddresses() {
    Cidr c = Cidr.parse(List.of("192.168.0.0/16", "2001:db8::/32", "127.0.0.1"));
    assertThat(c.contains("192.168.44.3")).isTrue();
    assertThat(c.contains("192.169.0.1")).isFalse();
    assertThat(c.contains("2001:db8:1::5")).isTrue();
    assertThat(c.contains("2001:db9::1")).isFalse();
    assertThat(c.contains("::ffff:192.168.1.1")).isTrue();
    assertThat(c.contains("127.0.0.1")).isTrue();
    assertThat(c.contains("127.0.0.2")).isFalse();
    assertThat(c.contains("example.com")).isFalse();
  }

  @Test
  void refusesMalformedRangesNamingThem() {
    assertThatThrownBy(() -> Cidr.parse(List.of("10.0.0.0/33"))).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> Cidr.parse(List.of("example.com/8"))).hasMessageContaining("example.com/8");
  }
}
