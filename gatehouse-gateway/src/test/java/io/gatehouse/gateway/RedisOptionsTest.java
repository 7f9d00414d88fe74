package io.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisOptionsTest {

  @Test
  void readsHostPortDatabaseAndTls() {
    RedisOptions plain = RedisOptions.parse("redis://cache.internal", Map.of());
    assertThat(plain.tls()).isFalse();
    assertThat(plain.host()).isEqualTo("cache.internal");
    assertThat(plain.port()).isEqualTo(6379);
    assertThat(plain.user()).isNull();
    assertThat(plain.password()).isNull();
    RedisOptions tls = RedisOptions.parse("rediss://10.0.0.5:6380/2", Map.of());
    assertThat(tls.tls()).isTrue();
    assertThat(tls.port()).isEqualTo(6380);
    assertThat(tls.database()).isEqualTo(2);
    assertThat(RedisOptions.parse("redis://[::1]:7000", Map.of()).host()).isEqualTo("::1");
  }

  @Test
  void readsAnAclUserAndAPasswordFromAnEnvironmentReference() {
    RedisOptions o = RedisOptions.parse("redis://gateway:${env:REDIS_PASSWORD}@cache:6379", Map.of("REDIS_PASSWORD", "pw:@/x"));
    assertThat(o.user()).isEqualTo("gateway");
    assertThat(o.password()).isEqualTo("pw:@/x");
  }

  @Test
  void readsAPasswordFromAFileReferenceWithoutItsTrailingNewline(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), "from-file\n");
    RedisOptions o = RedisOptions.parse("redis://:${file:" + file + "}@cache", Map.of());
    assertThat(o.user()).isNull();
    assertThat(o.password()).isEqualTo("from-file");
  }

  @Test
  void neverShowsThePasswordInItsTextOrInErrors() {
    RedisOptions o = RedisOptions.parse("redis://gw:hunter2secret@cache:6379", Map.of());
    assertThat(o.password()).isEqualTo("hunter2secret");
    assertThat(o.toString()).isEqualTo("redis://gw:***@cache:6379").doesNotContain("hunter2secret");
    assertThat(RedisOptions.parse("redis://:hunter2secret@cache", Map.of()).toString()).doesNotContain("hunter2secret");
    assertThatThrownBy(() -> RedisOptions.parse("http://gw:hunter2secret@cache", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected redis://")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2secret"));
  }

  @Test
  void refusesAnUnsetVariableAnUnreadableFileAndAnUnknownReference() {
    assertThatThrownBy(() -> RedisOptions.parse("redis://:${env:NOPE}@cache", Map.of()))
        .hasMessage("the Redis password reference ${env:NOPE} names an unset variable");
    assertThatThrownBy(() -> RedisOptions.parse("redis://:${file:/nonexistent/pw}@cache", Map.of()))
        .hasMessageContaining("${file:/nonexistent/pw} cannot be read");
    assertThatThrownBy(() -> RedisOptions.parse("redis://:${vault:x}@cache", Map.of()))
        .hasMessageContaining("must be ${env:NAME} or ${file:PATH}");
  }

  @Test
  void refusesAPortOutOfRange() {
    assertThatThrownBy(() -> RedisOptions.parse("redis://cache:70000", Map.of()))
        .hasMessage("the Redis port must be from 1 to 65535 but was 70000");
  }
}
