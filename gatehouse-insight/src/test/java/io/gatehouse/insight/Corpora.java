package io.gatehouse.insight;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the shared third-party corpora for tests. */
public final class Corpora {
  private Corpora() {}

  /** The corpora directory, or {@code null} when it cannot be found. */
  public static Path root() {
    String prop = System.getProperty("gatehouse.corpora");
    if (prop != null && Files.isDirectory(Paths.get(prop))) {
      return Paths.get(prop).toAbsolutePath().normalize();
    }
    for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared").resolve("corpora");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
