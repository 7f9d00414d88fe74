package io.gatehouse.gateway.internal;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * The client's request body on its way to the backend: a pass-through read stream that fails with
 * {@link TooLargeException} once more than a limit of bytes has flowed, and reports every failure
 * of the client's side as a {@link ClientBodyException}, so that a broken forward can be told
 * apart from a failing backend.
 */
final class LimitedStream extends ForwardingStream {
  /** The client's body could not be read to its end: the client broke off or sent too much. */
  static class ClientBodyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ClientBodyException(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  /** Raised through the exception handler when the limit is exceeded. */
  static final class TooLargeException extends ClientBodyException {
    private static final long serialVersionUID = 1L;

    TooLargeException(long limit) {
      super("the request body exceeds " + limit + " bytes", null);
    }
  }

  private final long limit;
  private long seen;
  private boolean ended;
  private boolean failed;

  private LimitedStream(ReadStream<Buffer> delegate, long limit) {
    super(delegate);
    this.limit = limit;
  }

  static LimitedStream of(ReadStream<Buffer> delegate, long limit) {
    return new LimitedStream(delegate, limit);
  }

  /** Whether neither a byte of the body nor its end has been passed on yet. */
  boolean untouched() {
    return seen == 0 && !ended;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    delegate.endHandler(endHandler == null ? null : v -> {
      ended = true;
      endHandler.handle(v);
    });
    return this;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    delegate.exceptionHandler(handler == null ? null : t -> handler.handle(
        t instanceof ClientBodyException ? t : new ClientBodyException("the client's request body broke off", t)));
    return this;
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
