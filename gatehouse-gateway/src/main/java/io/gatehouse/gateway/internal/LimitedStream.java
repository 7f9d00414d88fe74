package io.gatehouse.gateway.internal;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** A pass-through read stream that fails once more than a limit of bytes has flowed. */
final class LimitedStream extends ForwardingStream {
  /** Raised through the exception handler when the limit is exceeded. */
  static final class TooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLargeException(long limit) {
      super("the request body exceeds " + limit + " bytes", null, false, false);
    }
  }

  private final long limit;
  private long seen;
  private boolean failed;

  private LimitedStream(ReadStream<Buffer> delegate, long limit) {
    super(delegate);
    this.limit = limit;
  }

  static LimitedStream of(ReadStream<Buffer> delegate, long limit) {
    return new LimitedStream(delegate, limit);
  }

  @Override
  protected void chunk(Buffer buf, Handler<Buffer> downstream) {
    if (failed) {
      return;
    }
    seen += buf.length();
    if (seen > limit) {
      failed = true;
      delegate.handler(null);
      if (exceptionHandler != null) {
        exceptionHandler.handle(new TooLargeException(limit));
      }
      return;
    }
    downstream.handle(buf);
  }
}
