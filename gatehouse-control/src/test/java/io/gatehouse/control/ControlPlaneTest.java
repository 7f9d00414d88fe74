package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.BackendDef;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.GatewayConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneTest {
  @TempDir Path dir;

  @Test
  void notifiesListenersOncePerNewRevision() {
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      ControlPlane plane = ControlPlane.over(store);
      List<Long> seen = new ArrayList<>();
      plane.onChange(r -> seen.add(r.id()));
      GatewayConfig one = GatewayConfig.EMPTY.withBackends(List.of(BackendDef.of("b", "http://a")));
      plane.apply(one, "t", "one");
      plane.apply(one, "t", "same again");
      assertThatThrownBy(() -> plane.apply(one.withBackends(List.of(BackendDef.of("b", "nope"))), "t", "bad"))
          .isInstanceOf(ConfigException.class);
      plane.rollback(1, "t");
      plane.apply(GatewayConfig.EMPTY, "t", "clear");
      assertThat(seen).containsExactly(1L, 2L);
      assertThat(plane.revision().id()).isEqualTo(2);
      assertThat(ControlPlane.over(store).config()).isEqualTo(GatewayConfig.EMPTY);
    }
  }

  @Test
  void concurrentUpdatesLoseNothing() throws Exception {
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      ControlPlane plane = ControlPlane.over(store);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<Revision>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String name = "b" + i;
        futures.add(pool.submit(() -> plane.update(cfg -> {
          List<BackendDef> list = new ArrayList<>(cfg.backends());
          list.add(BackendDef.of(name, "http://x"));
          return cfg.withBackends(list);
        }, "t", "add " + name)));
      }
      for (Future<Revision> f : futures) {
        f.get();
      }
      pool.shutdown();
      assertThat(plane.config().backends()).hasSize(20);
      assertThat(store.current().config().backends()).hasSize(20);
      assertThat(plane.revision().id()).isEqualTo(20);
    }
  }
}
