package io.gatehouse.server.internal;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks an input file named on the command line before it is read, so that a missing file is one clear line and exit 2. */
final class InputFiles {
  private InputFiles() {}

  /**
   * Why {@code file} cannot be read, as one line such as {@code cannot read gatehouse.yaml: no such file (in /home/me)},
   * or {@code null} when it is a readable regular file.
   */
  static String unreadable(Path file) {
    String where = file.isAbsolute() ? "" : " (in " + Path.of("").toAbsolutePath() + ")";
    if (!Files.exists(file)) {
      return "cannot read " + file + ": no such file" + where;
    }
    if (Files.isDirectory(file)) {
      return "cannot read " + file + ": it is a directory; expected a file";
    }
    if (!Files.isReadable(file)) {
      return "cannot read " + file + ": permission denied";
    }
    return null;
  }
}
