package io.gatehouse.gateway.accesslog;

import java.nio.file.Path;

/**
 * Where the access log goes: standard output, a rotated file, both or neither.
 *
 * @param stdout whether to write each line to standard output
 * @param file the active log file, or {@code null} for no file; rotated files sit beside it as
 *     {@code NAME.yyyy-MM-dd.N.gz}
 * @param maxFileSize rotate the file when it grows beyond this many bytes (at least 1 KiB)
 * @param maxHistoryDays keep rotated files for this many days (at least 1)
 * @param totalSizeCap delete the oldest rotated files when all of them exceed this many bytes
 *     (0 for no cap)
 */
public record AccessLogOptions(boolean stdout, Path file, long maxFileSize, int maxHistoryDays,
    long totalSizeCap) {

  public AccessLogOptions {
    if (maxFileSize < 1024) {
      throw new IllegalArgumentException("maxFileSize must be at least 1024 bytes but was " + maxFileSize);
    }
    if (maxHistoryDays < 1) {
      throw new IllegalArgumentException("maxHistoryDays must be at least 1 but was " + maxHistoryDays);
    }
    if (totalSizeCap < 0) {
      throw new IllegalArgumentException("totalSizeCap must be 0 or more but was " + totalSizeCap);
    }
  }

  /** Standard output only. */
  public static AccessLogOptions stdoutOnly() {
    return new AccessLogOptions(true, null, 100L << 20, 14, 0);
  }

  /** Only {@code file}, rotated daily and at 100 MiB, kept 14 days and at most 5 GiB in all. */
  public static AccessLogOptions file(Path file) {
    return new AccessLogOptions(false, file, 100L << 20, 14, 5L << 30);
  }

  /** A copy that also writes to standard output when {@code on}. */
  public AccessLogOptions withStdout(boolean on) {
    return new AccessLogOptions(on, file, maxFileSize, maxHistoryDays, totalSizeCap);
  }

  /** A copy rotating at {@code bytes}, keeping {@code days} days and at most {@code cap} bytes. */
  public AccessLogOptions withRotation(long bytes, int days, long cap) {
    return new AccessLogOptions(stdout, file, bytes, days, cap);
  }
}
