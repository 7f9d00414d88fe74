package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.ApiDef;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.SubscriptionDef;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The {@link ConfigStore} contract, on SQLite and on PostgreSQL. */
class ConfigStoreTest {
  @TempDir Path dir;

  static GatewayConfig withBackend(String url) {
    return GatewayConfig.EMPTY.withBackends(List.of(BackendDef.of("b", url)));
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void startsAtRevisionZeroWithEmptyConfig(TestStores.Kind kind) {
    try (ControlStore store = TestStores.open(kind, dir.resolve("data"))) {
      assertThat(store.current().id()).isZero();
      assertThat(store.current().config()).isEqualTo(GatewayConfig.EMPTY);
      if (store instanceof SqliteConfigStore sqlite) {
        assertThat(sqlite.file()).exists();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void commitsListsAndReopens(TestStores.Kind kind) {
    try (ControlStore store = TestStores.open(kind, dir)) {
      assertThat(store.commit(withBackend("http://a"), "alice", "first").id()).isEqualTo(1);
      assertThat(store.commit(withBackend("http://b"), "bob", "second").id()).isEqualTo(2);
    }
    try (ControlStore store = TestStores.open(kind, dir)) {
      assertThat(store.current().config()).isEqualTo(withBackend("http://b"));
      assertThat(store.list(0, 10)).extracting(RevisionInfo::id).containsExactly(2L, 1L);
      assertThat(store.list(1, 10)).extracting(RevisionInfo::author).containsExactly("alice");
      assertThat(store.get(1).orElseThrow().config()).isEqualTo(withBackend("http://a"));
      assertThat(store.get(1).orElseThrow().info().source()).isEqualTo("api");
      assertThat(store.get(3)).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void equalConfigCreatesNoRevision(TestStores.Kind kind) {
    try (ControlStore store = TestStores.open(kind, dir)) {
      Revision first = store.commit(withBackend("http://a"), "alice", "first");
      Revision again = store.commit(withBackend("http://a"), "alice", "again");
      assertThat(again.info()).isEqualTo(first.info());
      assertThat(store.list(0, 10)).hasSize(1);
    }
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void rollbackCreatesNewRevisionWithOldContent(TestStores.Kind kind) {
    try (ControlStore store = TestStores.open(kind, dir)) {
      store.commit(withBackend("http://a"), "alice", "first");
      store.commit(withBackend("http://b"), "alice", "second");
      Revision back = store.rollback(1, "carol");
      assertThat(back.id()).isEqualTo(3);
      assertThat(back.info().source()).isEqualTo("rollback");
      assertThat(back.info().author()).isEqualTo("carol");
      assertThat(store.current().config()).isEqualTo(withBackend("http://a"));
      assertThatThrownBy(() -> store.rollback(42, "carol")).isInstanceOf(NoSuchElementException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void rollbackToRevisionZeroCommitsTheEmptyConfiguration(TestStores.Kind kind) {
    try (ControlStore store = TestStores.open(kind, dir)) {
      store.commit(withBackend("http://a"), "alice", "first");
      Revision empty = store.rollback(0, "carol");
      assertThat(empty.id()).isEqualTo(2);
      assertThat(empty.info().message()).isEqualTo("rollback to revision 0");
      assertThat(store.current().config()).isEqualTo(io.gatehouse.model.GatewayConfig.EMPTY);
    }
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void refusesInvalidConfigWithFieldPaths(TestStores.Kind kind) {
    try (ControlStore store = TestStores.open(kind, dir)) {
      GatewayConfig bad = GatewayConfig.EMPTY.withApis(List.of(ApiDef.of("a", "/a", "missing")));
      assertThatThrownBy(() -> store.commit(bad, "alice", "bad"))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("apis[0].backend");
      assertThat(store.current().id()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void storesSubscriptionKeysOnlyAsHashes(TestStores.Kind kind) {
    try (ControlStore store = TestStores.open(kind, dir)) {
      SubscriptionDef sub = new SubscriptionDef("s", "all", null, null, null,
          "0123456789abcdef0123", null, null, null);
      store.commit(GatewayConfig.EMPTY.withSubscriptions(List.of(sub)), "alice", "keys");
      SubscriptionDef stored = store.current().config().subscriptions().get(0);
      assertThat(stored.primaryKey()).isNull();
      assertThat(stored.primaryKeyHash()).startsWith("hmac-sha256:")
          .isEqualTo(store.secrets().keyHasher().hash("0123456789abcdef0123"));
    }
  }

  @ParameterizedTest
  @EnumSource(TestStores.Kind.class)
  void storesAndFindsAdminTokensByHash(TestStores.Kind kind) {
    try (ControlStore store = TestStores.open(kind, dir)) {
      assertThat(store.hasAdminToken("admin")).isFalse();
      store.putAdminToken("admin", "sha256:1");
      store.putAdminToken("admin", "sha256:2");
      assertThat(store.adminTokenName("sha256:2")).contains("admin");
      assertThat(store.adminTokenName("sha256:1")).isEmpty();
      assertThat(store.hasAdminToken("admin")).isTrue();
    }
  }
}
