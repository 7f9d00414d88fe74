package io.gatehouse.gateway.internal;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A read stream of buffers that passes flow control, end and exceptions to a delegate and every
 * chunk through {@link #chunk}, which decides what reaches the downstream handler.
 */
public abstract class ForwardingStream implements ReadStream<Buffer> {
  /** The stream read from. */
  protected final ReadStream<Buffer> delegate;
  /** The downstream exception handler, or {@code null}. */
  protected Handler<Throwable> exceptionHandler;

  protected ForwardingStream(ReadStream<Buffer> delegate) {
    this.delegate = requireNonNull(delegate, "delegate");
  }

  /** Handles one chunk of the delegate, passing it (or not) to {@code downstream}. */
  protected abstract void chunk(Buffer buf, Handler<Buffer> downstream);

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
    } else {
      delegate.handler(buf -> chunk(buf, handler));
    }
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
