package io.gatehouse.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Limits the gateway enforces on each HTTP/2 connection (TLS with ALPN {@code h2}, and cleartext
 * HTTP/2 when enabled); the header list limit is the listener's {@code maxHeaderSize}.
 *
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS advertised and enforced (1..65535);
 *     a stream beyond it is refused with RST_STREAM
 * @param maxResetsPerWindow RST_STREAM frames a client may send within {@code resetWindow} before
 *     the connection is closed with GOAWAY (rapid reset, CVE-2023-44487), at least 1
 * @param resetWindow the window for {@code maxResetsPerWindow}, 1 s to 1 h
 * @param maxControlFramesPerWindow SETTINGS and PING frames (acknowledgements excluded) a client may
 *     send within {@code controlWindow} before the connection is closed with GOAWAY, at least 1
 * @param controlWindow the window for {@code maxControlFramesPerWindow}, 1 s to 1 h
 * @param maxSmallContinuationFrames CONTINUATION frames smaller than 16 KiB a header block may have,
 *     0 to 65535
 */
public record Http2Limits(
    int maxConcurrentStreams,
    int maxResetsPerWindow,
    Duration resetWindow,
    int maxControlFramesPerWindow,
    Duration controlWindow,
    int maxSmallContinuationFrames) {

  /** Default concurrent streams per connection. */
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;

  public Http2Limits {
    requireNonNull(resetWindow, "resetWindow");
    requireNonNull(controlWindow, "controlWindow");
    if (maxConcurrentStreams < 1 || maxConcurrentStreams > 65_535) {
      throw new IllegalArgumentException(
          "maxConcurrentStreams must be within 1..65535 but was " + maxConcurrentStreams);
    }
    if (maxResetsPerWindow < 1) {
      throw new IllegalArgumentException("maxResetsPerWindow must be at least 1 but was " + maxResetsPerWindow);
    }
    if (maxControlFramesPerWindow < 1) {
      throw new IllegalArgumentException(
          "maxControlFramesPerWindow must be at least 1 but was " + maxControlFramesPerWindow);
    }
    checkWindow("resetWindow", resetWindow);
    checkWindow("controlWindow", controlWindow);
    if (maxSmallContinuationFrames < 0 || maxSmallContinuationFrames > 65_535) {
      throw new IllegalArgumentException(
          "maxSmallContinuationFrames must be within 0..65535 but was " + maxSmallContinuationFrames);
    }
  }

  private static void checkWindow(String name, Duration window) {
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(name + " must be within PT1S..PT1H but was " + window);
    }
  }

  /**
   * 100 concurrent streams, 200 resets per 30 s, 500 SETTINGS/PING frames per 10 s, 16 small
   * CONTINUATION frames per header block.
   */
  public static Http2Limits defaults() {
    return new Http2Limits(DEFAULT_MAX_CONCURRENT_STREAMS, 200, Duration.ofSeconds(30), 500,
        Duration.ofSeconds(10), 16);
  }

  /** Returns a copy allowing {@code streams} concurrent streams per connection. */
  public Http2Limits withMaxConcurrentStreams(int streams) {
    return new Http2Limits(streams, maxResetsPerWindow, resetWindow, maxControlFramesPerWindow,
        controlWindow, maxSmallContinuationFrames);
  }

  /** Returns a copy allowing {@code resets} RST_STREAM frames per {@code window}. */
  public Http2Limits withResets(int resets, Duration window) {
    return new Http2Limits(maxConcurrentStreams, resets, window, maxControlFramesPerWindow,
        controlWindow, maxSmallContinuationFrames);
  }

  /** Returns a copy allowing {@code frames} SETTINGS and PING frames per {@code window}. */
  public Http2Limits withControlFrames(int frames, Duration window) {
    return new Http2Limits(maxConcurrentStreams, maxResetsPerWindow, resetWindow, frames, window,
        maxSmallContinuationFrames);
  }
}
