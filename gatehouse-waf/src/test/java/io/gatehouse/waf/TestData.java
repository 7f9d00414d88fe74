package io.gatehouse.waf;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the repository's third-party test data: the {@code testdata} folder (with its {@code
 * refresh.sh}) nearest above the working directory; missing data fails the test, never skips it.
 */
public final class TestData {
  private TestData() {}

  /** The folder of one suite, e.g. {@code testdata/libinjection-data}. */
  public static Path suite(String name) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path root = dir.resolve("testdata");
      if (Files.isRegularFile(root.resolve("refresh.sh"))) {
        Path suite = root.resolve(name);
        if (!Files.isDirectory(suite)) {
          throw new IllegalStateException("test data " + name + " missing from " + root + ": run testdata/refresh.sh");
        }
        return suite;
      }
    }
    throw new IllegalStateException("testdata/ not found above " + Path.of("").toAbsolutePath());
  }
}
