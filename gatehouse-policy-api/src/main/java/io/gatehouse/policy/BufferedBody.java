package io.gatehouse.policy;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A body held in memory. */
final class BufferedBody implements Body {
  static final BufferedBody EMPTY = new BufferedBody(new byte[0]);
  private final byte[] bytes;

  BufferedBody(byte[] bytes) {
    this.bytes = requireNonNull(bytes, "bytes");
  }

  @Override
  public long length() {
    return bytes.length;
  }

  @Override
  public boolean isBuffered() {
    return true;
  }

  @Override
  public CompletionStage<byte[]> aggregate(int maxBytes) {
    if (bytes.length > maxBytes) {
      return CompletableFuture.failedFuture(new BodyTooLargeException(maxBytes));
    }
    return CompletableFuture.completedFuture(bytes);
  }
}
