package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseUrlTest {
  @TempDir Path dir;

  @Test
  void parsesAnAddressWithTlsParametersAndHidesThePasswordWhenPrinted() {
    DatabaseUrl url = DatabaseUrl.parse(
        "postgresql://gate:s%40cret@db.example:6543/gatehouse?sslmode=verify-full&sslrootcert=/etc/ca.pem", Map.of());
    assertThat(url.user()).isEqualTo("gate");
    assertThat(url.password()).isEqualTo("s@cret");
    assertThat(url.host()).isEqualTo("db.example");
    assertThat(url.port()).isEqualTo(6543);
    assertThat(url.database()).isEqualTo("gatehouse");
    assertThat(url.parameters()).containsEntry("sslmode", "verify-full").containsEntry("sslrootcert", "/etc/ca.pem");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/gatehouse");
    assertThat(url.toString()).isEqualTo(
        "postgresql://gate:***@db.example:6543/gatehouse?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        .doesNotContain("cret");
  }

  @Test
  void defaultsThePortTo5432() {
    assertThat(DatabaseUrl.parse("postgresql://u:p@localhost/db", Map.of()).port()).isEqualTo(5432);
  }

  @Test
  void resolvesThePasswordFromAnEnvironmentVariableOrAFile() throws Exception {
    assertThat(DatabaseUrl.parse("postgresql://u:${env:DB_PW}@h/db", Map.of("DB_PW", "from-env")).password())
        .isEqualTo("from-env");
    Path file = Files.writeString(dir.resolve("pw"), "from-file\n");
    assertThat(DatabaseUrl.parse("postgresql://u:${file:" + file + "}@h/db", Map.of()).password())
        .isEqualTo("from-file");
  }

  @Test
  void refusesAnUnsetReferenceAnUnreadableFileAndOtherReferenceKinds() {
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://u:${env:MISSING}@h/db", Map.of()))
        .hasMessageContaining("MISSING is not set");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://u:${file:" + dir.resolve("nope") + "}@h/db", Map.of()))
        .hasMessageContaining("cannot be read");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://u:${vault:kv/db#pw}@h/db", Map.of()))
        .hasMessageContaining("${env:NAME} or ${file:PATH}");
  }

  @Test
  void refusesMalformedAddressesWithoutQuotingThePassword() {
    for (String bad : new String[] {"mysql://u:hunter2@h/db", "postgresql://hunter2@", "postgresql://u:hunter2@h",
        "postgresql://u:hunter2@h/db/extra", "postgresql://u:hunter2@h:99999/db", "postgresql://:hunter2@h/db",
        "postgresql://u:hunter2@h/db?password=x"}) {
      assertThatThrownBy(() -> DatabaseUrl.parse(bad, Map.of())).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }
  }
}
