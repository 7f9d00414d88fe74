package io.gatehouse.policy;

import java.util.concurrent.CompletionStage;

/**
 * A message body: either already in memory or a stream the gateway passes through without
 * buffering.
 *
 * <p>A policy that must read a streamed body calls {@link #aggregate(int)} with an explicit limit;
 * nothing is buffered unless a policy asks.
 */
public interface Body {

  /** The length in bytes when known (a {@code Content-Length} or an in-memory body), else -1. */
  long length();

  /** Whether the body is already in memory. */
  boolean isBuffered();

  /**
   * Reads the whole body into memory, failing with {@link BodyTooLargeException} beyond
   * {@code maxBytes}; a second call returns the same bytes.
   */
  CompletionStage<byte[]> aggregate(int maxBytes);

  /** An in-memory body holding {@code bytes} (not copied). */
  static Body of(byte[] bytes) {
    return new BufferedBody(bytes);
  }

  /** The empty body. */
  static Body empty() {
    return BufferedBody.EMPTY;
  }
}
