package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurabilityTest {
  static final int ACKS = 200;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedRevisionSurvivesSigkill() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        DurabilityWriter.class.getName(), dir.toString())
        .redirectError(dir.resolve("child.err").toFile())
        .start();
    List<Long> acked = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acked.size() < ACKS && (line = out.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          acked.add(Long.parseLong(line.substring(4)));
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(acked).as("child stderr in %s", dir.resolve("child.err")).hasSize(ACKS);
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      for (long id : acked) {
        Revision r = store.get(id).orElseThrow(() -> new AssertionError("lost acknowledged revision " + id));
        assertThat(r.config()).isEqualTo(DurabilityWriter.config(id));
      }
      assertThat(store.current().id()).isGreaterThanOrEqualTo(acked.get(acked.size() - 1));
      // the store keeps working after the crash
      Revision next = store.commit(DurabilityWriter.config(-1), "test", "after crash");
      assertThat(next.id()).isEqualTo(store.current().id());
    }
    assertThat(new File(dir.toFile(), SqliteConfigStore.FILE_NAME)).exists();
  }
}
