package io.gatehouse.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.developers.Developer;
import io.gatehouse.control.developers.DeveloperStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verification and reset links in the developer store: single-use, expiring, one per purpose. */
class DeveloperLinksTest {
  @TempDir Path dir;

  @Test
  void aLinkStopsWorkingWhenItExpiresAndWhenANewerOneIsIssued() {
    SessionsTest.MovableClock clock = new SessionsTest.MovableClock();
    try (SqliteConfigStore store = SqliteConfigStore.open(dir.resolve("data"))) {
      DeveloperStore developers = DeveloperStore.over(store, clock);
      Developer d = developers.signUp("a@example.com", "long enough password", "A", Developer.ACTIVE, false).orElseThrow();
      String expiring = developers.issueLink(d.id(), "verify", Duration.ofHours(1));
      clock.now = clock.now.plus(Duration.ofMinutes(61));
      assertThat(developers.consumeLink("verify", expiring)).isEmpty();
      String older = developers.issueLink(d.id(), "verify", Duration.ofHours(1));
      String newer = developers.issueLink(d.id(), "verify", Duration.ofHours(1));
      assertThat(developers.consumeLink("verify", older)).isEmpty();
      assertThat(developers.consumeLink("reset", newer)).as("another purpose").isEmpty();
      assertThat(developers.consumeLink("verify", newer)).as("consumed by the wrong-purpose try").isEmpty();
      String fresh = developers.issueLink(d.id(), "verify", Duration.ofHours(1));
      assertThat(developers.consumeLink("verify", fresh)).map(Developer::id).contains(d.id());
      assertThat(developers.consumeLink("verify", fresh)).isEmpty();
    }
  }

  @Test
  void aTakenEmailCreatesNoSecondAccountWhateverItsCase() {
    try (SqliteConfigStore store = SqliteConfigStore.open(dir.resolve("data"))) {
      DeveloperStore developers = DeveloperStore.over(store, java.time.Clock.systemUTC());
      assertThat(developers.signUp("B@Example.com", "long enough password", "B", Developer.ACTIVE, true)).isPresent();
      assertThat(developers.signUp("b@example.COM ", "another password!", "B2", Developer.ACTIVE, true)).isEmpty();
      assertThat(developers.list()).hasSize(1);
    }
  }
}
