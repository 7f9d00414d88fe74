package io.gatehouse.server.internal;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Where {@code backup} and {@code restore} get their passphrase: a file, the environment, or a prompt; never the command line. */
final class Passphrase {
  static final String ENV = "GATEHOUSE_BACKUP_PASSPHRASE";

  private Passphrase() {}

  /** Thrown with a message for the operator when no passphrase can be had. */
  static final class Missing extends Exception {
    private static final long serialVersionUID = 1L;

    Missing(String message) {
      super(message);
    }
  }

  /**
   * The first line of {@code file} when given, else {@value #ENV}, else what the operator types at the console
   * (twice when {@code confirm}).
   */
  static char[] read(Path file, boolean confirm) throws Missing {
    if (file != null) {
      try {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        if (line.endsWith("\r")) {
          line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
          throw new Missing("the passphrase file " + file + " is empty");
        }
        return line.toCharArray();
      } catch (IOException e) {
        throw new Missing("cannot read the passphrase file " + file + ": " + e.getMessage());
      }
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isEmpty()) {
      return env.toCharArray();
    }
    Console console = System.console();
    if (console == null) {
      throw new Missing("no passphrase: pass --passphrase-file, set " + ENV + ", or run at a terminal");
    }
    char[] first = console.readPassword("Backup passphrase: ");
    if (first == null || first.length == 0) {
      throw new Missing("no passphrase entered");
    }
    if (confirm) {
      char[] again = console.readPassword("Repeat the passphrase: ");
      if (again == null || !Arrays.equals(first, again)) {
        throw new Missing("the two passphrases differ");
      }
      Arrays.fill(again, ' ');
    }
    return first;
  }
}
