package io.gatehouse.gateway.internal;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** A pass-through read stream that fails once more than a limit of bytes has flowed. */
final class LimitedStream implements ReadStream<Buffer> {
  /** Raised through the exception handler when the limit is exceeded. */
  static final class TooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLargeException(long limit) {
      super("the request body exceeds " + limit + " bytes", null, false, false);
    }
  }

  private final ReadStream<Buffer> delegate;
  private final long limit;
  private long seen;
  private Handler<Throwable> exceptionHandler;
  private boolean failed;

  private LimitedStream(ReadStream<Buffer> delegate, long limit) {
    this.delegate = delegate;
    this.limit = limit;
  }

  static LimitedStream of(ReadStream<Buffer> delegate, long limit) {
    return new LimitedStream(delegate, limit);
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    delegate.exceptionHandler(handler);
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    if (handler == null) {
      delegate.handler(null);
      return this;
    }
    delegate.handler(buf -> {
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
      handler.handle(buf);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    delegate.pause();
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    delegate.resume();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    delegate.fetch(amount);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    delegate.endHandler(endHandler);
    return this;
  }
}
