package io.gatehouse.gateway.internal.counters;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteCounterFileTest {
  static final long DAY = 86_400_000L;

  @Test
  void countsSurviveCloseAndReopenAndEndedWindowsAreForgotten(@TempDir Path dir) throws Exception {
    long now = System.currentTimeMillis();
    LocalCounterStore store = SqliteCounterFile.store(dir);
    store.add("live", now - 1000, now + DAY, 41);
    store.add("live", now - 1000, now + DAY, 1);
    store.add("bytes", now - 1000, now + DAY, 1 << 20);
    store.add("ended", now - DAY, now - 1, 5);
    store.close();

    LocalCounterStore again = SqliteCounterFile.store(dir);
    try {
      assertThat(again.get("live", now - 1000)).isEqualTo(42);
      assertThat(again.get("bytes", now - 1000)).isEqualTo(1 << 20);
      assertThat(again.get("ended", now - DAY)).isZero();
      assertThat(again.addIfWithin("live", now - 1000, now + DAY, 1, 42)).isEqualTo(-1);
    } finally {
      again.close();
    }
  }

  @Test
  void flushWritesOnlyChangedCountersAndKeepsCounting(@TempDir Path dir) throws Exception {
    long now = System.currentTimeMillis();
    LocalCounterStore store = SqliteCounterFile.store(dir);
    store.add("a", now, now + DAY, 1);
    store.flush();
    store.add("a", now, now + DAY, 1);
    store.flush();
    store.add("a", now, now + DAY, 1);
    store.close();
    LocalCounterStore again = SqliteCounterFile.store(dir);
    try {
      assertThat(again.get("a", now)).isEqualTo(3);
    } finally {
      again.close();
    }
  }
}
