package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokensTest {
  @TempDir Path dir;

  @Test
  void generatesTokenOnceIntoOwnerOnlyFile() throws Exception {
    String token;
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      token = AdminTokens.bootstrap(store, dir, null).orElseThrow();
      assertThat(token).hasSizeGreaterThanOrEqualTo(43);
      Path file = dir.resolve(AdminTokens.FILE_NAME);
      assertThat(Files.readString(file).strip()).isEqualTo(token);
      assertThat(Files.getPosixFilePermissions(file))
          .containsExactlyInAnyOrderElementsOf(PosixFilePermissions.fromString("rw-------"))
          .doesNotContain(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
      assertThat(store.adminTokenName(AdminTokens.hash(token))).contains(AdminTokens.ADMIN);
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
      }
      Files.delete(file);
    }
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      assertThat(AdminTokens.bootstrap(store, dir, null)).isEmpty();
      assertThat(dir.resolve(AdminTokens.FILE_NAME)).doesNotExist();
      assertThat(store.adminTokenName(AdminTokens.hash(token))).contains(AdminTokens.ADMIN);
    }
  }

  @Test
  void environmentTokenReplacesTheAdminTokenAndWritesNoFile() {
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      String generated = AdminTokens.bootstrap(store, dir, "").orElseThrow();
      assertThat(AdminTokens.bootstrap(store, dir, "from-environment-0123456789")).isEqualTo(Optional.empty());
      assertThat(store.adminTokenName(AdminTokens.hash("from-environment-0123456789"))).contains("admin");
      assertThat(store.adminTokenName(AdminTokens.hash(generated))).isEmpty();
    }
    Path fresh = dir.resolve("fresh");
    try (SqliteConfigStore store = SqliteConfigStore.open(fresh)) {
      AdminTokens.bootstrap(store, fresh, "from-environment-0123456789");
      assertThat(fresh.resolve(AdminTokens.FILE_NAME)).doesNotExist();
    }
  }

  @Test
  void generatedTokensDiffer() {
    assertThat(AdminTokens.generate()).isNotEqualTo(AdminTokens.generate());
  }
}
