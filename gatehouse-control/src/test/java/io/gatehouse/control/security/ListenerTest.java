package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.ManagementOptions;
import io.gatehouse.control.ManagementServer;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.internal.CidrList;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenerTest {
  @TempDir Path dir;

  @Test
  void refusesANonLoopbackAddressWithoutTls() {
    Vertx vertx = Vertx.vertx();
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      ControlPlane plane = ControlPlane.over(store);
      assertThatThrownBy(() -> ManagementServer.start(vertx,
          ManagementOptions.builder().listen("0.0.0.0", 0).build(), plane))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.0.0.0").hasMessageContaining("TLS");
    } finally {
      vertx.close();
    }
  }

  @Test
  void answersOnlyClientsInTheAllowlist() throws Exception {
    try (Mgmt m = new Mgmt(dir, b -> b.allow(List.of("10.0.0.0/8")))) {
      Mgmt.Res r = m.owner("GET", "/api/v1/whoami", null);
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.body()).contains("127.0.0.1").contains("allowlist");
    }
    try (Mgmt m = new Mgmt(dir, b -> b.allow(List.of("10.0.0.0/8", "127.0.0.0/8")))) {
      assertThat(m.owner("GET", "/api/v1/whoami", null).status()).isEqualTo(200);
    }
  }

  @Test
  void matchesNetworksByPrefix() {
    CidrList list = new CidrList(List.of("192.168.1.0/24", "10.1.2.3", "fd00::/8", "172.16.0.0/12"));
    assertThat(list.contains("192.168.1.200")).isTrue();
    assertThat(list.contains("192.168.2.1")).isFalse();
    assertThat(list.contains("10.1.2.3")).isTrue();
    assertThat(list.contains("10.1.2.4")).isFalse();
    assertThat(list.contains("fd12:3456::1")).isTrue();
    assertThat(list.contains("fe80::1")).isFalse();
    assertThat(list.contains("172.31.255.255")).isTrue();
    assertThat(list.contains("172.32.0.0")).isFalse();
    assertThat(list.contains("::ffff:192.168.1.7")).isTrue();
    assertThat(list.contains("not-an-address")).isFalse();
    assertThatThrownBy(() -> new CidrList(List.of("example.com"))).hasMessageContaining("example.com");
    assertThatThrownBy(() -> new CidrList(List.of("10.0.0.0/33"))).hasMessageContaining("0 to 32");
  }
}
