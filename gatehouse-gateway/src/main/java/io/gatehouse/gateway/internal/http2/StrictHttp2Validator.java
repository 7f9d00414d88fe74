package io.gatehouse.gateway.internal.http2;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.internal.Problems;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2Connection;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates each HTTP/2 request header section and trailer section ({@link Http2HeaderRules})
 * before Vert.x sees it, and closes the connection with GOAWAY(ENHANCE_YOUR_CALM) when the client
 * sends more SETTINGS and PING frames than allowed in a time window.
 *
 * <p>One instance per connection, decorating the frame listener of Netty's HTTP/2 connection
 * decoder; all methods run on the channel's event loop. A refused request never reaches the
 * listener behind it (so never the backend): it is reset with PROTOCOL_ERROR (RFC 9113 §8.1.1),
 * except CONNECT, which gets a {@code 400} problem response. A refused trailer section resets a
 * stream already under way, which aborts the forwarded request.
 *
 * <p>Frame-level rules Netty already enforces are configured, not repeated here: content-length
 * against DATA, pseudo-header order, header list size, CONTINUATION and empty DATA floods,
 * concurrent streams and rapid reset (see {@link Http2Guard}).
 */
public final class StrictHttp2Validator extends Http2FrameListenerDecorator {
  private static final Logger LOG = LoggerFactory.getLogger(StrictHttp2Validator.class);

  private final Http2Connection connection;
  private final Http2ConnectionEncoder encoder;
  private final Http2Connection.PropertyKey accepted;
  private final int maxControlFrames;
  private final long controlWindowNanos;
  private long windowStart = System.nanoTime();
  private int controlFrames;

  /**
   * Creates a validator passing valid frames to {@code delegate}; {@code maxControlFrames} SETTINGS
   * and PING frames are allowed per {@code controlWindow}.
   */
  public StrictHttp2Validator(Http2FrameListener delegate, Http2ConnectionHandler handler,
      int maxControlFrames, Duration controlWindow) {
    super(requireNonNull(delegate, "delegate"));
    requireNonNull(handler, "handler");
    if (maxControlFrames < 1) {
      throw new IllegalArgumentException("maxControlFrames must be at least 1 but was " + maxControlFrames);
    }
    this.connection = handler.connection();
    this.encoder = handler.encoder();
    this.accepted = connection.newKey();
    this.maxControlFrames = maxControlFrames;
    this.controlWindowNanos = requireNonNull(controlWindow, "controlWindow").toNanos();
  }

  /**
   * Decorates the frame listener of {@code handler}'s decoder with a new validator, unless one is
   * already there; returns whether it was added.
   */
  public static boolean install(Http2ConnectionHandler handler, int maxControlFrames, Duration controlWindow) {
    Http2ConnectionDecoder decoder = handler.decoder();
    Http2FrameListener current = decoder.frameListener();
    if (current == null || current instanceof StrictHttp2Validator) {
      return false;
    }
    decoder.frameListener(new StrictHttp2Validator(current, handler, maxControlFrames, controlWindow));
    return true;
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
      boolean endOfStream) throws Http2Exception {
    if (admit(ctx, streamId, headers, endOfStream)) {
      super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }
  }

  @Override
  public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
      short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
    if (admit(ctx, streamId, headers, endOfStream)) {
      super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
    }
  }

  @Override
  public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) throws Http2Exception {
    countControlFrame("SETTINGS");
    super.onSettingsRead(ctx, settings);
  }

  @Override
  public void onPingRead(ChannelHandlerContext ctx, long data) throws Http2Exception {
    countControlFrame("PING");
    super.onPingRead(ctx, data);
  }

  private void countControlFrame(String type) throws Http2Exception {
    long now = System.nanoTime();
    if (now - windowStart > controlWindowNanos) {
      windowStart = now;
      controlFrames = 0;
    }
    if (++controlFrames > maxControlFrames) {
      LOG.debug("closing HTTP/2 connection: more than {} SETTINGS/PING frames in {} ms (last {})",
          maxControlFrames, controlWindowNanos / 1_000_000, type);
      throw Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM,
          "more than %d SETTINGS/PING frames within %d ms", maxControlFrames, controlWindowNanos / 1_000_000);
    }
  }

  /** Returns whether the header section may go on; resets or answers the stream when not. */
  private boolean admit(ChannelHandlerContext ctx, int streamId, Http2Headers headers, boolean endOfStream)
      throws Http2Exception {
    Http2Stream stream = connection.stream(streamId);
    boolean trailer = stream != null && stream.getProperty(accepted) != null;
    Http2Rejection rejection;
    if (trailer) {
      rejection = endOfStream ? Http2HeaderRules.checkTrailers(headers)
          : new Http2Rejection(Http2Violation.CONTENT_LENGTH, "trailer section does not end the stream");
    } else {
      rejection = Http2HeaderRules.checkRequest(headers);
    }
    if (rejection == null) {
      if (stream != null && !trailer) {
        stream.setProperty(accepted, Boolean.TRUE);
      }
      return true;
    }
    if (rejection.violation().status() == 0 || stream == null || trailer) {
      LOG.debug("refusing HTTP/2 stream {}: {} ({})", streamId, rejection.violation(), rejection.detail());
      throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, "%s: %s",
          rejection.violation(), rejection.detail());
    }
    String requestId = Problems.newRequestId();
    LOG.debug("answering HTTP/2 stream {} as request {}: {} ({})", streamId, requestId,
        rejection.violation(), rejection.detail());
    answer(ctx, stream, rejection.violation().status(), requestId, endOfStream);
    return false;
  }

  private void answer(ChannelHandlerContext ctx, Http2Stream stream, int status, String requestId,
      boolean endOfStream) {
    byte[] problem = Problems.bytes(status, "connect-not-supported", Problems.title(status),
        "CONNECT is not supported", requestId);
    Http2Headers response = new DefaultHttp2Headers()
        .status(Integer.toString(status))
        .set("content-type", Problems.PROBLEM_JSON)
        .setInt("content-length", problem.length)
        .set("cache-control", "no-store")
        .set("x-request-id", requestId);
    encoder.writeHeaders(ctx, stream.id(), response, 0, false, ctx.newPromise());
    ByteBuf body = Unpooled.wrappedBuffer(problem);
    encoder.writeData(ctx, stream.id(), body, 0, true, ctx.newPromise());
    if (!endOfStream) {
      // The response is complete; the request body is not wanted (RFC 9113 §8.1).
      encoder.writeRstStream(ctx, stream.id(), Http2Error.NO_ERROR.code(), ctx.newPromise());
    }
    ctx.flush();
  }
}
