package io.gatehouse.gateway.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared third-party corpora: the {@code gatehouse.corpora} property, else upwards. */
public final class Corpora {
  private Corpora() {}

  /** The corpora directory. */
  public static Path root() {
    String property = System.getProperty("gatehouse.corpora");
    if (property != null && Files.isDirectory(Path.of(property))) {
      return Path.of(property);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/corpora");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("corpora not found: set -Dgatehouse.corpora or place shared/corpora above " + Path.of("").toAbsolutePath());
  }
}
