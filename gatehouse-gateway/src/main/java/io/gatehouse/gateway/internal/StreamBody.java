package io.gatehouse.gateway.internal;

import io.gatehouse.policy.Body;
import io.gatehouse.policy.BodyTooLargeException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The body buffer of a policy exchange: a streamed body (the client's request or the backend's
 * response) that streams through untouched unless a policy asks for its bytes, and then is read
 * only up to the limit the policy gives.
 *
 * <p>Threading: used from the request's event loop only.
 */
final class StreamBody implements Body {
  private final io.vertx.core.streams.ReadStream<Buffer> stream;
  private final long length;
  private CompletableFuture<byte[]> aggregated;
  private Buffer prefix;

  StreamBody(io.vertx.core.streams.ReadStream<Buffer> stream, long length) {
    this.stream = stream;
    this.length = length;
  }

  boolean aggregating() {
    return aggregated != null;
  }

  /** Whether {@link #aggregateOrSpill} found the body too large: {@link #prefix()} then the rest of the stream. */
  boolean spilled() {
    return prefix != null;
  }

  Buffer prefix() {
    return prefix;
  }

  /**
   * Reads up to {@code maxBytes}: the bytes when the stream ends within them, else {@code null}
   * with the stream paused after the bytes read so far ({@link #prefix()}).
   */
  CompletionStage<byte[]> aggregateOrSpill(int maxBytes) {
    if (aggregated != null) {
      return aggregated.handle((bytes, t) -> t == null ? bytes : null);
    }
    aggregated = new CompletableFuture<>();
    CompletableFuture<byte[]> f = aggregated;
    if (length > maxBytes) {
      prefix = Buffer.buffer();
      f.complete(null);
      return f;
    }
    Buffer acc = Buffer.buffer();
    stream.exceptionHandler(f::completeExceptionally);
    stream.handler(b -> {
      if (f.isDone()) {
        return;
      }
      acc.appendBuffer(b);
      if (acc.length() > maxBytes) {
        stream.pause();
        prefix = acc;
        f.complete(null);
      }
    });
    stream.endHandler(v -> {
      if (!f.isDone()) {
        f.complete(acc.getBytes());
      }
    });
    stream.resume();
    return f;
  }

  byte[] bytes() {
    return prefix == null && aggregated != null && aggregated.isDone() && !aggregated.isCompletedExceptionally()
        ? aggregated.join() : new byte[0];
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public boolean isBuffered() {
    return aggregated != null && aggregated.isDone();
  }

  @Override
  public CompletionStage<byte[]> aggregate(int maxBytes) {
    if (prefix != null) {
      return CompletableFuture.failedFuture(new BodyTooLargeException(maxBytes));
    }
    if (aggregated != null) {
      return aggregated;
    }
    aggregated = new CompletableFuture<>();
    if (length > maxBytes) {
      aggregated.completeExceptionally(new BodyTooLargeException(maxBytes));
      return aggregated;
    }
    Buffer acc = Buffer.buffer();
    CompletableFuture<byte[]> f = aggregated;
    stream.exceptionHandler(f::completeExceptionally);
    stream.handler(b -> {
      if (f.isDone()) {
        return;
      }
      if (acc.length() + b.length() > maxBytes) {
        f.completeExceptionally(new BodyTooLargeException(maxBytes));
        return;
      }
      acc.appendBuffer(b);
    });
    stream.endHandler(v -> f.complete(acc.getBytes()));
    stream.resume();
    return f;
  }

  @Override
  public String toString() {
    return new String(bytes(), StandardCharsets.UTF_8);
  }
}
