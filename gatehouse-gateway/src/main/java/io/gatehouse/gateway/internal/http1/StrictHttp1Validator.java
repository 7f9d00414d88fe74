package io.gatehouse.gateway.internal.http1;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.internal.Problems;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates the framing of inbound HTTP/1.1 requests strictly (RFC 9112) and passes the bytes of
 * valid messages downstream unchanged, answering the first invalid message with a raw RFC 9457
 * problem response and closing the connection.
 *
 * <p>One instance per connection (not sharable); all methods run on the channel's event loop. The
 * handler sits before Netty's {@code HttpRequestDecoder} and looks at bytes only: request line,
 * field lines, Content-Length / chunked body boundaries, trailers and pipelined messages. Body
 * bytes are counted, never copied. Every received buffer is validated completely before any of it
 * is fired, so an invalid message that arrives in the same read as earlier valid messages is
 * dropped whole while the valid prefix is passed on.
 *
 * <p>Rules beyond RFC 9112's grammar (see {@code docs/http-parsing.md}):
 *
 * <ul>
 *   <li>Empty lines (CRLF) before a request line are skipped (RFC 9112 §2.2), bare LF is not.
 *   <li>The request-target is visible ASCII only (0x21-0x7E); obs-text (0x80-0xFF) is rejected,
 *       like llhttp's strict URL parser. Field values may contain obs-text.
 *   <li>A missing Host is accepted (Netty/Vert.x and the routing layer decide about it); more than
 *       one Host field line is rejected.
 *   <li>CONNECT is rejected: the gateway is not a forward proxy. PRI (the HTTP/2 preface method)
 *       is rejected; any other token is accepted as a method (RFC 9110 §9.1), unlike llhttp's table.
 *   <li>Sec-WebSocket-Key1/Key2 (draft-76 WebSocket) are rejected: Netty frames such a GET with a
 *       hidden 8-byte body, which would let the two parsers disagree on message boundaries.
 *   <li>Chunk extensions allow no whitespace (BWS): conforming senders never generate it.
 *   <li>Content-Length, Transfer-Encoding and Host are rejected in a trailer section.
 *   <li>After a message that ends the connection ({@code Connection: close}, or HTTP/1.0 without
 *       keep-alive) further bytes are discarded without an answer: the server closes after its
 *       response anyway.
 *   <li>After an HTTP/1.1 request with an {@code Upgrade} field and the {@code upgrade} connection
 *       option, later bytes are held back (at most 64 KiB) until the response to that request: after
 *       a 101 they pass through unvalidated (the connection speaks another protocol), after any other
 *       final response they are dropped and the connection is closed once that response is written,
 *       so bytes after a declined upgrade never reach the HTTP decoder. Without the response tracker
 *       the handler passes through right after the upgrade request. An {@code Upgrade} without the
 *       connection option is ignored (RFC 9110 §7.8).
 * </ul>
 *
 * <p>With {@link Http1Timeouts}, the handler also times the client: the whole request head must arrive
 * within the head timeout (408 when part of it came, a silent close when nothing did), a request
 * body may pause at most the body idle timeout (408 when no response has started, else a close),
 * and an idle connection waits at most the keep-alive timeout for the next request. Every answer
 * it writes itself, and every response that says {@code Connection: close} while the client is
 * still sending its request, ends with a lingering close: the output is shut down and input is read
 * and discarded for a bounded time and byte count, so that the client can read the answer instead
 * of a connection reset.
 *
 * <p>If the response to earlier pipelined messages is still pending when a violation is found, the
 * error response is held back until their responses have been written (this needs the response
 * tracker that {@link #install} adds after {@code httpEncoder}). A violation in a head that spans
 * several reads is answered like any other (the decoder has not produced a request from the part it
 * received). If the violation is found in a body or trailer section after the head was passed on,
 * the connection is closed without an error response, since a response may already be under way.
 */
public final class StrictHttp1Validator extends ChannelInboundHandlerAdapter implements ByteProcessor {
  /** Pipeline name of the validator. */
  public static final String NAME = "strict-http1";
  /** Pipeline name of the outbound response tracker installed by {@link #install}. */
  public static final String RESPONSE_TRACKER_NAME = "strict-http1-responses";

  private static final Logger LOG = LoggerFactory.getLogger(StrictHttp1Validator.class);

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final boolean[] TCHAR = new boolean[256];
  private static final byte[] HEX_VALUE = new byte[256];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 32] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
    java.util.Arrays.fill(HEX_VALUE, (byte) -1);
    for (int c = '0'; c <= '9'; c++) {
      HEX_VALUE[c] = (byte) (c - '0');
    }
    for (int c = 'a'; c <= 'f'; c++) {
      HEX_VALUE[c] = (byte) (c - 'a' + 10);
      HEX_VALUE[c - 32] = (byte) (c - 'a' + 10);
    }
  }

  // States.
  private static final int MSG_START = 0;
  private static final int MSG_START_LF = 1;
  private static final int METHOD = 2;
  private static final int TARGET_START = 3;
  private static final int TARGET = 4;
  private static final int VERSION = 5;
  private static final int REQUEST_LINE_LF = 6;
  private static final int FIELD_START = 7;
  private static final int FIELD_NAME = 8;
  private static final int FIELD_VALUE = 9;
  private static final int FIELD_LF = 10;
  private static final int HEAD_END_LF = 11;
  private static final int BODY_LENGTH = 12;
  private static final int CHUNK_SIZE = 13;
  private static final int CHUNK_EXT_NAME_START = 14;
  private static final int CHUNK_EXT_NAME = 15;
  private static final int CHUNK_EXT_VALUE_START = 16;
  private static final int CHUNK_EXT_TOKEN = 17;
  private static final int CHUNK_EXT_QUOTED = 18;
  private static final int CHUNK_EXT_QUOTED_PAIR = 19;
  private static final int CHUNK_EXT_AFTER_QUOTE = 20;
  private static final int CHUNK_SIZE_LF = 21;
  private static final int CHUNK_DATA = 22;
  private static final int CHUNK_DATA_CR = 23;
  private static final int CHUNK_DATA_LF = 24;
  private static final int PASS_THROUGH = 30;
  private static final int DISCARD = 31;
  /** After an upgrade request, until its response shows whether the upgrade happened. */
  private static final int UPGRADE_PENDING = 32;
  /** Most bytes held back while an upgrade is pending; beyond, the connection is closed. */
  private static final int MAX_HELD_BYTES = 64 * 1024;

  // Events that stop the byte processor.
  private static final int EV_NONE = 0;
  private static final int EV_BODY = 1;
  private static final int EV_COMPLETE = 2;
  private static final int EV_VIOLATION = 3;

  // Field kinds.
  private static final int F_OTHER = 0;
  private static final int F_CONTENT_LENGTH = 1;
  private static final int F_TRANSFER_ENCODING = 2;
  private static final int F_HOST = 3;
  private static final int F_CONNECTION = 4;
  private static final int F_UPGRADE = 5;
  private static final int F_WEBSOCKET_KEY_76 = 6;

  private static final int NAME_CAP = 20;
  private static final int MAX_CONTENT_LENGTH_DIGITS = 18;

  private final int maxHeadBytes;
  private final Http1RejectionCounters counters;
  private final Http1Timeouts timeouts; // null: no timers, no lingering

  // Timing (with timeouts only).
  private static final int T_OFF = 0;
  private static final int T_HEAD = 1;
  private static final int T_BODY = 2;
  private static final int T_IDLE = 3;
  private long connectedNanos;
  private long readNanos;
  private long headStartNanos;
  private boolean headBegun;
  private long idleSinceNanos;
  private int timing = T_OFF;
  private long deadline;
  private ScheduledFuture<?> timer;
  private long timerAt;
  private long responsesStarted;
  private boolean outputClosed;
  private boolean lingering;
  private long lingerLeft;

  private int state = MSG_START;
  private int event = EV_NONE;
  private int lineBytes;

  // Request line.
  private final byte[] method = new byte[8];
  private int methodLen;
  private final byte[] version = new byte[8];
  private int versionLen;
  private boolean http10;

  // Current field line.
  private final byte[] name = new byte[NAME_CAP];
  private int nameLen;
  private int fieldKind;
  private byte[] value = new byte[64];
  private int valueLen;

  // Current message.
  private boolean inTrailer;
  private int contentLengthLines;
  private long contentLength;
  private boolean transferEncoding;
  private int chunkedCount;
  private boolean lastCodingChunked;
  private int hostLines;
  private boolean upgradeField;
  private boolean connectionClose;
  private boolean connectionKeepAlive;
  private boolean connectionUpgrade;
  private long remaining;
  private long chunkSize;
  private int chunkSizeDigits;

  // Connection.
  private boolean messageBytesForwarded;
  private long messagesForwarded;
  private long responsesCompleted;
  private boolean trackingResponses;
  private Http1Violation violation;
  private String violationDetail;
  private String rejectionId;
  private ChannelHandlerContext ctx;
  private boolean awaitingResponses;
  private long upgradeMessage;
  private ByteBuf held;

  /**
   * Creates a validator allowing request heads (request line plus field lines) of at most
   * {@code maxHeadBytes} bytes.
   */
  public StrictHttp1Validator(int maxHeadBytes) {
    this(maxHeadBytes, new Http1RejectionCounters());
  }

  /** Creates a validator that counts its rejections into {@code counters}. */
  public StrictHttp1Validator(int maxHeadBytes, Http1RejectionCounters counters) {
    this(maxHeadBytes, counters, null);
  }

  /** Creates a validator that also enforces {@code timeouts} ({@code null}: none) and lingers on close. */
  public StrictHttp1Validator(int maxHeadBytes, Http1RejectionCounters counters, Http1Timeouts timeouts) {
    if (maxHeadBytes < 64) {
      throw new IllegalArgumentException("maxHeadBytes must be at least 64, was " + maxHeadBytes);
    }
    this.maxHeadBytes = maxHeadBytes;
    this.counters = requireNonNull(counters, "counters");
    this.timeouts = timeouts;
  }

  /**
   * Adds a new validator before Vert.x's {@code httpDecoder} (and its response tracker after
   * {@code httpEncoder}, when present) and returns it.
   */
  public static StrictHttp1Validator install(ChannelPipeline pipeline, int maxHeadBytes) {
    return install(pipeline, maxHeadBytes, new Http1RejectionCounters());
  }

  /** Like {@link #install(ChannelPipeline, int)}, counting rejections into {@code counters}. */
  public static StrictHttp1Validator install(
      ChannelPipeline pipeline, int maxHeadBytes, Http1RejectionCounters counters) {
    return install(pipeline, maxHeadBytes, counters, null);
  }

  /** Like {@link #install(ChannelPipeline, int, Http1RejectionCounters)}, enforcing {@code timeouts}. */
  public static StrictHttp1Validator install(
      ChannelPipeline pipeline, int maxHeadBytes, Http1RejectionCounters counters, Http1Timeouts timeouts) {
    requireNonNull(pipeline, "pipeline");
    if (pipeline.get("httpDecoder") == null) {
      throw new IllegalStateException(
          "pipeline has no 'httpDecoder' handler; names were " + pipeline.names());
    }
    StrictHttp1Validator validator = new StrictHttp1Validator(maxHeadBytes, counters, timeouts);
    pipeline.addBefore("httpDecoder", NAME, validator);
    if (pipeline.get("httpEncoder") != null) {
      pipeline.addAfter("httpEncoder", RESPONSE_TRACKER_NAME, validator.responseTracker());
    }
    return validator;
  }

  /**
   * An outbound handler to place between the HTTP encoder and the application handler; it counts
   * completed responses so that an error response is never written before the responses to earlier
   * pipelined requests.
   */
  public ChannelOutboundHandlerAdapter responseTracker() {
    trackingResponses = true;
    return new ResponseTracker();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (timeouts != null) {
      connectedNanos = System.nanoTime();
      idleSinceNanos = connectedNanos;
      updateTiming();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ByteBuf buf = (ByteBuf) msg;
    if (lingering) {
      lingerLeft -= buf.readableBytes();
      buf.release();
      if (lingerLeft < 0) {
        ctx.close();
      }
      return;
    }
    if (timeouts != null) {
      readNanos = System.nanoTime();
    }
    if (state == UPGRADE_PENDING) {
      hold(buf, buf.readerIndex());
      buf.release();
      return;
    }
    if (state == PASS_THROUGH) {
      ctx.fireChannelRead(buf);
      return;
    }
    if (state == DISCARD) {
      buf.release();
      return;
    }
    final int start = buf.readerIndex();
    final int end = buf.writerIndex();
    // Start index (in this buffer) of the message being scanned, or -1 if it began in an earlier
    // buffer whose bytes were already passed on.
    int messageStart = messageBytesForwarded ? -1 : start;
    int forwardEnd = end;
    boolean violated = false;
    int i = start;
    scan:
    while (i < end) {
      if (state == BODY_LENGTH || state == CHUNK_DATA) {
        long n = Math.min(remaining, end - i);
        i += (int) n;
        remaining -= n;
        if (remaining == 0) {
          if (state == CHUNK_DATA) {
            state = CHUNK_DATA_CR;
          } else {
            event = EV_COMPLETE;
            int outcome = onMessageComplete(i);
            if (outcome == 1) {
              forwardEnd = state == PASS_THROUGH ? end : i;
              break;
            } else if (outcome == 2) {
              forwardEnd = i;
              break;
            }
            messageStart = i;
          }
        }
        continue;
      }
      event = EV_NONE;
      int stop = buf.forEachByte(i, end - i, this);
      if (stop < 0) {
        i = end;
        break;
      }
      i = stop + 1;
      switch (event) {
        case EV_BODY:
          break;
        case EV_COMPLETE: {
          int outcome = onMessageComplete(i);
          if (outcome == 1) {
            forwardEnd = state == PASS_THROUGH ? end : i;
            break scan;
          } else if (outcome == 2) {
            forwardEnd = i;
            break scan;
          }
          messageStart = i;
          break;
        }
        case EV_VIOLATION:
          violated = true;
          forwardEnd = messageStart >= 0 ? messageStart : start;
          break scan;
        default:
          throw new IllegalStateException("unexpected event " + event);
      }
    }
    if (!violated && state != DISCARD && state != PASS_THROUGH) {
      messageBytesForwarded = state != MSG_START && state != MSG_START_LF;
    }
    if (state == UPGRADE_PENDING && forwardEnd < end) {
      hold(buf, forwardEnd);
    }
    if (forwardEnd == end && start == buf.readerIndex()) {
      ctx.fireChannelRead(buf);
    } else {
      if (forwardEnd > start) {
        ctx.fireChannelRead(buf.retainedSlice(start, forwardEnd - start));
      }
      buf.release();
    }
    if (violated) {
      // Part of a head already forwarded is harmless: the decoder emits nothing before the head ends.
      reject(ctx, messageStart < 0 && (inTrailer || state > HEAD_END_LF));
    } else if (timeouts != null) {
      updateTiming();
    }
  }

  // ---- client timing ----

  /** Derives what is being waited for from the parser state and arms the timer for its deadline. */
  private void updateTiming() {
    if (state == PASS_THROUGH || state == DISCARD || state == UPGRADE_PENDING || outputClosed) {
      timing = T_OFF;
    } else if (inTrailer || state >= BODY_LENGTH && state <= CHUNK_DATA_LF) {
      timing = T_BODY;
      deadline = readNanos + timeouts.bodyIdleNanos();
    } else if (headBegun || state != MSG_START) {
      timing = T_HEAD;
      deadline = (messagesForwarded == 0 ? connectedNanos : headStartNanos) + timeouts.headNanos();
    } else if (messagesForwarded == 0) {
      timing = T_HEAD; // nothing received yet on a new connection: the head timeout counts from accept
      deadline = connectedNanos + timeouts.headNanos();
    } else if (trackingResponses && responsesCompleted < messagesForwarded) {
      timing = T_OFF; // waiting for our own response: not the client's time
    } else {
      timing = T_IDLE;
      deadline = idleSinceNanos + timeouts.keepAliveNanos();
    }
    if (timing != T_OFF && (timer == null || timerAt - deadline > 0)) {
      if (timer != null) {
        timer.cancel(false);
      }
      timerAt = deadline;
      timer = ctx.executor().schedule(this::onTimer, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  private void onTimer() {
    timer = null;
    if (timing == T_OFF || lingering || !ctx.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    if (now - deadline < 0) {
      timerAt = deadline;
      timer = ctx.executor().schedule(this::onTimer, deadline - now, TimeUnit.NANOSECONDS);
      return;
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(timing == T_HEAD ? timeouts.headNanos()
        : timing == T_BODY ? timeouts.bodyIdleNanos() : timeouts.keepAliveNanos());
    if (timing == T_HEAD && (headBegun || state != MSG_START)) {
      violation = Http1Violation.HEAD_TIMEOUT;
      violationDetail = "the request head did not arrive within " + ms + " ms";
      // The partial head went to the decoder, which has not produced a request: no answer is under way.
      reject(ctx, false);
    } else if (timing == T_BODY && responsesCompleted == messagesForwarded && responsesStarted == messagesForwarded) {
      violation = Http1Violation.BODY_TIMEOUT;
      violationDetail = "the request body paused for more than " + ms + " ms";
      state = DISCARD;
      counters.increment(violation);
      sendRejection();
    } else {
      LOG.debug("{} closing: no data from the client for {} ms", ctx.channel(), ms);
      state = DISCARD;
      ctx.close();
    }
  }

  private void cancelTimer() {
    timing = T_OFF;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /**
   * Stops writing (later responses are dropped), half-closes the connection and reads and discards
   * what the client still sends for the linger time or bytes, then closes.
   */
  private void lingerAndClose() {
    state = DISCARD;
    outputClosed = true;
    releaseHeld();
    cancelTimer();
    io.netty.channel.Channel ch = ctx.channel();
    if (lingering || !ch.isActive()) {
      return;
    }
    if (timeouts == null || timeouts.lingerNanos() == 0 || !(ch instanceof DuplexChannel duplex)) {
      ctx.close();
      return;
    }
    lingering = true;
    lingerLeft = timeouts.lingerBytes();
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    if (ssl != null) {
      ssl.closeOutbound().addListener(f -> duplex.shutdownOutput());
    } else {
      duplex.shutdownOutput();
    }
    ctx.executor().schedule(() -> {
      ctx.close();
    }, timeouts.lingerNanos(), TimeUnit.NANOSECONDS);
    ch.config().setAutoRead(true);
    ch.read();
  }

  /** Returns 0 to go on, 1 to pass everything through from now on, 2 to discard the rest. */
  private int onMessageComplete(int boundary) {
    messagesForwarded++;
    messageBytesForwarded = false;
    boolean upgrade = upgradeField && connectionUpgrade && !http10;
    boolean close = http10 ? !connectionKeepAlive : connectionClose;
    resetMessage();
    if (upgrade) {
      // With the response tracker, later bytes wait for the upgrade's answer: passed on after a
      // 101, dropped (and the connection closed) after any other final response.
      state = trackingResponses ? UPGRADE_PENDING : PASS_THROUGH;
      upgradeMessage = messagesForwarded;
      return 1;
    }
    if (close) {
      state = DISCARD;
      return 2;
    }
    state = MSG_START;
    return 0;
  }

  /** Keeps the bytes of {@code buf} from {@code from} on until the pending upgrade is answered. */
  private void hold(ByteBuf buf, int from) {
    int n = buf.writerIndex() - from;
    if (n <= 0) {
      return;
    }
    if (held == null) {
      held = ctx.alloc().buffer(Math.min(n, MAX_HELD_BYTES));
    }
    if (held.readableBytes() + n > MAX_HELD_BYTES) {
      LOG.debug("closing connection: more than {} bytes after an unanswered upgrade request", MAX_HELD_BYTES);
      releaseHeld();
      state = DISCARD;
      ctx.close();
      return;
    }
    held.writeBytes(buf, from, n);
  }

  private void releaseHeld() {
    if (held != null) {
      held.release();
      held = null;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
    cancelTimer();
  }

  private void resetMessage() {
    headBegun = false;
    lineBytes = 0;
    methodLen = 0;
    versionLen = 0;
    http10 = false;
    inTrailer = false;
    contentLengthLines = 0;
    contentLength = 0;
    transferEncoding = false;
    chunkedCount = 0;
    lastCodingChunked = false;
    hostLines = 0;
    upgradeField = false;
    connectionClose = false;
    connectionKeepAlive = false;
    connectionUpgrade = false;
    remaining = 0;
  }

  @Override
  public boolean process(byte b) {
    int c = b & 0xFF;
    if (++lineBytes > maxHeadBytes) {
      if (state >= CHUNK_SIZE && state <= CHUNK_SIZE_LF) {
        return fail(Http1Violation.CHUNKED_BODY, "chunk-size line longer than " + maxHeadBytes + " bytes");
      }
      if (state == TARGET_START || state == TARGET) {
        return fail(Http1Violation.URI_TOO_LONG, "request line longer than " + maxHeadBytes + " bytes");
      }
      return fail(Http1Violation.HEAD_TOO_LARGE,
          (inTrailer ? "trailer section" : "request head") + " larger than " + maxHeadBytes + " bytes");
    }
    switch (state) {
      case MSG_START:
        if (!headBegun) {
          headBegun = true;
          headStartNanos = readNanos;
        }
        if (c == CR) {
          state = MSG_START_LF;
          return true;
        }
        if (TCHAR[c]) {
          method[0] = b;
          methodLen = 1;
          state = METHOD;
          return true;
        }
        if (c == LF) {
          return fail(Http1Violation.BARE_CR_OR_LF, "bare LF before the request line");
        }
        return fail(Http1Violation.REQUEST_LINE, "invalid character " + hex(c) + " at start of request line");
      case MSG_START_LF:
        if (c == LF) {
          state = MSG_START;
          return true;
        }
        return fail(Http1Violation.BARE_CR_OR_LF, "CR not followed by LF before the request line");
      case METHOD:
        if (TCHAR[c]) {
          if (methodLen < method.length) {
            method[methodLen] = b;
          }
          methodLen++;
          return true;
        }
        if (c == ' ') {
          if (isMethod("CONNECT")) {
            return fail(Http1Violation.CONNECT_METHOD, "CONNECT is not supported");
          }
          if (isMethod("PRI")) {
            return fail(Http1Violation.REQUEST_LINE,
                "PRI method (HTTP/2 connection preface) is not accepted over HTTP/1.1");
          }
          state = TARGET_START;
          return true;
        }
        return fail(Http1Violation.REQUEST_LINE, "invalid character " + hex(c) + " in method");
      case TARGET_START:
        if (c > 0x20 && c < 0x7F) {
          state = TARGET;
          return true;
        }
        if (c == ' ') {
          return fail(Http1Violation.REQUEST_LINE, "more than one SP after the method");
        }
        return fail(Http1Violation.REQUEST_LINE, "invalid character " + hex(c) + " at start of request-target");
      case TARGET:
        if (c > 0x20 && c < 0x7F) {
          return true;
        }
        if (c == ' ') {
          state = VERSION;
          versionLen = 0;
          return true;
        }
        if (c == CR || c == LF) {
          return fail(Http1Violation.REQUEST_LINE, "request line has no HTTP version");
        }
        return fail(Http1Violation.REQUEST_LINE, "invalid character " + hex(c) + " in request-target");
      case VERSION:
        if (c == CR) {
          state = REQUEST_LINE_LF;
          return versionLen == version.length || checkVersion();
        }
        if (c == ' ') {
          return fail(Http1Violation.REQUEST_LINE, "more than one SP in the request line");
        }
        if (c == LF) {
          return fail(Http1Violation.BARE_CR_OR_LF, "request line ends with a bare LF");
        }
        if (versionLen == version.length) {
          return fail(Http1Violation.REQUEST_LINE, "protocol version is not HTTP/1.1 or HTTP/1.0");
        }
        version[versionLen++] = b;
        // Judge the version as soon as it is complete, even before the line ends.
        return versionLen < version.length || checkVersion();
      case REQUEST_LINE_LF:
        if (c == LF) {
          state = FIELD_START;
          return true;
        }
        return fail(Http1Violation.BARE_CR_OR_LF, "request line ends with CR not followed by LF");
      case FIELD_START:
        if (TCHAR[c]) {
          name[0] = lower(b);
          nameLen = 1;
          state = FIELD_NAME;
          return true;
        }
        if (c == CR) {
          state = HEAD_END_LF;
          return true;
        }
        if (c == ' ' || c == '\t') {
          return fail(Http1Violation.OBS_FOLD, "field line starts with whitespace (obs-fold)");
        }
        if (c == LF) {
          return fail(Http1Violation.BARE_CR_OR_LF, "bare LF in the " + section());
        }
        if (c == ':') {
          return fail(Http1Violation.FIELD_LINE, "empty field name");
        }
        return fail(Http1Violation.FIELD_LINE, "invalid character " + hex(c) + " in field name");
      case FIELD_NAME:
        if (TCHAR[c]) {
          if (nameLen < NAME_CAP) {
            name[nameLen] = lower(b);
          }
          nameLen++;
          return true;
        }
        if (c == ':') {
          fieldKind = classifyName();
          valueLen = 0;
          state = FIELD_VALUE;
          return true;
        }
        if (c == ' ' || c == '\t') {
          return fail(Http1Violation.FIELD_LINE, "whitespace between field name and colon");
        }
        if (c == CR || c == LF) {
          return fail(Http1Violation.FIELD_LINE, "field line without colon");
        }
        return fail(Http1Violation.FIELD_LINE, "invalid character " + hex(c) + " in field name");
      case FIELD_VALUE:
        if (c >= 0x20 && c != 0x7F || c == '\t') {
          if (fieldKind != F_OTHER) {
            appendValue(b);
          }
          return true;
        }
        if (c == CR) {
          state = FIELD_LF;
          return true;
        }
        if (c == LF) {
          return fail(Http1Violation.BARE_CR_OR_LF, "field line ends with a bare LF");
        }
        return fail(Http1Violation.FIELD_LINE, "invalid character " + hex(c) + " in field value");
      case FIELD_LF:
        if (c == LF) {
          state = FIELD_START;
          return finishField();
        }
        return fail(Http1Violation.BARE_CR_OR_LF, "CR not followed by LF in the " + section());
      case HEAD_END_LF:
        if (c != LF) {
          return fail(Http1Violation.BARE_CR_OR_LF, "CR not followed by LF at end of the " + section());
        }
        if (inTrailer) {
          event = EV_COMPLETE;
          return false;
        }
        return headComplete();
      case CHUNK_SIZE: {
        int h = HEX_VALUE[c];
        if (h >= 0) {
          if (chunkSize > (Long.MAX_VALUE >> 4)) {
            return fail(Http1Violation.CHUNKED_BODY, "chunk size overflows a signed 64-bit value");
          }
          chunkSize = (chunkSize << 4) | h;
          chunkSizeDigits++;
          return true;
        }
        if (chunkSizeDigits == 0) {
          return fail(Http1Violation.CHUNKED_BODY, "chunk size missing, found " + hex(c));
        }
        if (c == ';') {
          state = CHUNK_EXT_NAME_START;
          return true;
        }
        if (c == CR) {
          state = CHUNK_SIZE_LF;
          return true;
        }
        return fail(Http1Violation.CHUNKED_BODY, "invalid character " + hex(c) + " after chunk size");
      }
      case CHUNK_EXT_NAME_START:
        if (TCHAR[c]) {
          state = CHUNK_EXT_NAME;
          return true;
        }
        return fail(Http1Violation.CHUNKED_BODY, "chunk extension without a name, found " + hex(c));
      case CHUNK_EXT_NAME:
        if (TCHAR[c]) {
          return true;
        }
        return afterChunkExt(c, true);
      case CHUNK_EXT_VALUE_START:
        if (c == '"') {
          state = CHUNK_EXT_QUOTED;
          return true;
        }
        if (TCHAR[c]) {
          state = CHUNK_EXT_TOKEN;
          return true;
        }
        return fail(Http1Violation.CHUNKED_BODY, "invalid character " + hex(c) + " at start of chunk extension value");
      case CHUNK_EXT_TOKEN:
        if (TCHAR[c]) {
          return true;
        }
        return afterChunkExt(c, false);
      case CHUNK_EXT_QUOTED:
        if (c == '"') {
          state = CHUNK_EXT_AFTER_QUOTE;
          return true;
        }
        if (c == '\\') {
          state = CHUNK_EXT_QUOTED_PAIR;
          return true;
        }
        if (c == '\t' || c >= 0x20 && c != 0x7F) {
          return true;
        }
        return fail(Http1Violation.CHUNKED_BODY, "invalid character " + hex(c) + " in quoted chunk extension value");
      case CHUNK_EXT_QUOTED_PAIR:
        if (c == '\t' || c >= 0x20 && c != 0x7F) {
          state = CHUNK_EXT_QUOTED;
          return true;
        }
        return fail(Http1Violation.CHUNKED_BODY, "invalid character " + hex(c) + " in quoted-pair of chunk extension");
      case CHUNK_EXT_AFTER_QUOTE:
        return afterChunkExt(c, false);
      case CHUNK_SIZE_LF:
        if (c != LF) {
          return fail(Http1Violation.BARE_CR_OR_LF, "chunk-size line ends with CR not followed by LF");
        }
        if (chunkSize == 0) {
          inTrailer = true;
          lineBytes = 0;
          state = FIELD_START;
          return true;
        }
        remaining = chunkSize;
        state = CHUNK_DATA;
        event = EV_BODY;
        return false;
      case CHUNK_DATA_CR:
        if (c == CR) {
          state = CHUNK_DATA_LF;
          return true;
        }
        return fail(Http1Violation.CHUNKED_BODY, "chunk data not followed by CRLF, found " + hex(c));
      case CHUNK_DATA_LF:
        if (c == LF) {
          startChunkLine();
          return true;
        }
        return fail(Http1Violation.CHUNKED_BODY, "chunk data followed by CR without LF");
      default:
        throw new IllegalStateException("byte processed in state " + state);
    }
  }

  private boolean afterChunkExt(int c, boolean afterName) {
    if (c == ';') {
      state = CHUNK_EXT_NAME_START;
      return true;
    }
    if (c == CR) {
      state = CHUNK_SIZE_LF;
      return true;
    }
    if (afterName && c == '=') {
      state = CHUNK_EXT_VALUE_START;
      return true;
    }
    return fail(Http1Violation.CHUNKED_BODY, "invalid character " + hex(c) + " in chunk extension");
  }

  private void startChunkLine() {
    state = CHUNK_SIZE;
    chunkSize = 0;
    chunkSizeDigits = 0;
    lineBytes = 0;
  }

  private boolean checkVersion() {
    if (versionLen == 8 && version[0] == 'H' && version[1] == 'T' && version[2] == 'T'
        && version[3] == 'P' && version[4] == '/' && version[6] == '.'
        && isDigit(version[5]) && isDigit(version[7])) {
      if (version[5] == '1' && (version[7] == '1' || version[7] == '0')) {
        http10 = version[7] == '0';
        return true;
      }
      return fail(Http1Violation.UNSUPPORTED_VERSION,
          "unsupported version " + ascii(version, versionLen) + ", expected HTTP/1.1 or HTTP/1.0");
    }
    return fail(Http1Violation.REQUEST_LINE,
        "protocol '" + ascii(version, versionLen) + "' is not HTTP/1.1 or HTTP/1.0");
  }

  private boolean headComplete() {
    if (transferEncoding) {
      if (contentLengthLines > 0) {
        return fail(Http1Violation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
            "Content-Length and Transfer-Encoding together");
      }
      if (http10) {
        return fail(Http1Violation.TRANSFER_ENCODING, "Transfer-Encoding in an HTTP/1.0 request");
      }
      if (chunkedCount > 1) {
        return fail(Http1Violation.TRANSFER_ENCODING, "chunked applied more than once");
      }
      if (!lastCodingChunked) {
        return fail(Http1Violation.TRANSFER_ENCODING, "final transfer coding is not chunked");
      }
      startChunkLine();
      return true;
    }
    if (contentLength > 0) {
      remaining = contentLength;
      state = BODY_LENGTH;
      event = EV_BODY;
      return false;
    }
    event = EV_COMPLETE;
    return false;
  }

  private int classifyName() {
    if (inTrailer) {
      // Framing and routing fields are forbidden in trailers; other kinds are of no interest.
      int kind = classifyInterestingName();
      return kind == F_CONTENT_LENGTH || kind == F_TRANSFER_ENCODING || kind == F_HOST
          || kind == F_WEBSOCKET_KEY_76 ? kind : F_OTHER;
    }
    return classifyInterestingName();
  }

  private int classifyInterestingName() {
    switch (nameLen) {
      case 4:
        return nameIs("host") ? F_HOST : F_OTHER;
      case 7:
        return nameIs("upgrade") ? F_UPGRADE : F_OTHER;
      case 10:
        return nameIs("connection") ? F_CONNECTION : F_OTHER;
      case 14:
        return nameIs("content-length") ? F_CONTENT_LENGTH : F_OTHER;
      case 17:
        return nameIs("transfer-encoding") ? F_TRANSFER_ENCODING : F_OTHER;
      case 18:
        return nameIs("sec-websocket-key1") || nameIs("sec-websocket-key2") ? F_WEBSOCKET_KEY_76 : F_OTHER;
      default:
        return F_OTHER;
    }
  }

  private boolean nameIs(String lowerName) {
    for (int k = 0; k < nameLen; k++) {
      if (name[k] != lowerName.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private boolean finishField() {
    if (inTrailer && fieldKind != F_OTHER && fieldKind != F_WEBSOCKET_KEY_76) {
      return fail(Http1Violation.FIELD_LINE, fieldName(fieldKind) + " is not allowed in a trailer section");
    }
    switch (fieldKind) {
      case F_CONTENT_LENGTH:
        return contentLengthField();
      case F_TRANSFER_ENCODING:
        return transferEncodingField();
      case F_HOST:
        if (++hostLines > 1) {
          return fail(Http1Violation.DUPLICATE_HOST, "more than one Host field line");
        }
        return true;
      case F_CONNECTION:
        connectionField();
        return true;
      case F_UPGRADE:
        upgradeField = true;
        return true;
      case F_WEBSOCKET_KEY_76:
        // Netty gives a GET with Sec-WebSocket-Key1 and -Key2 (draft-76 handshake) an implicit
        // 8-byte body: a framing disagreement with every other parser, so it is refused.
        return fail(Http1Violation.FIELD_LINE,
            "obsolete WebSocket draft-76 field Sec-WebSocket-Key1/Key2 is not accepted");
      default:
        return true;
    }
  }

  private boolean contentLengthField() {
    if (++contentLengthLines > 1) {
      return fail(Http1Violation.CONTENT_LENGTH, "more than one Content-Length field line");
    }
    int from = 0;
    int to = valueLen;
    while (from < to && isOws(value[from])) {
      from++;
    }
    while (to > from && isOws(value[to - 1])) {
      to--;
    }
    if (to == from || to - from > MAX_CONTENT_LENGTH_DIGITS) {
      return fail(Http1Violation.CONTENT_LENGTH,
          "Content-Length '" + ascii(value, valueLen) + "' is not 1 to 18 digits");
    }
    long n = 0;
    for (int k = from; k < to; k++) {
      byte d = value[k];
      if (!isDigit(d)) {
        return fail(Http1Violation.CONTENT_LENGTH,
            "Content-Length '" + ascii(value, valueLen) + "' is not 1*DIGIT");
      }
      n = n * 10 + (d - '0');
    }
    contentLength = n;
    return true;
  }

  private boolean transferEncodingField() {
    transferEncoding = true;
    int k = 0;
    boolean any = false;
    while (k < valueLen) {
      // One list element: OWS token *( OWS ";" OWS parameter ) OWS, elements separated by ','.
      while (k < valueLen && (isOws(value[k]) || value[k] == ',')) {
        k++;
      }
      if (k == valueLen) {
        break;
      }
      int tokenStart = k;
      while (k < valueLen && TCHAR[value[k] & 0xFF]) {
        k++;
      }
      if (k == tokenStart) {
        return fail(Http1Violation.TRANSFER_ENCODING,
            "invalid Transfer-Encoding '" + ascii(value, valueLen) + "'");
      }
      boolean chunked = k - tokenStart == 7 && regionEqualsIgnoreCase(tokenStart, "chunked");
      int afterToken = k;
      while (k < valueLen && isOws(value[k])) {
        k++;
      }
      if (k < valueLen && value[k] != ',') {
        if (value[k] != ';' || chunked) {
          return fail(Http1Violation.TRANSFER_ENCODING,
              "invalid Transfer-Encoding '" + ascii(value, valueLen) + "'");
        }
        // Parameters of a non-chunked coding: the coding is rejected anyway unless chunked follows.
        while (k < valueLen && value[k] != ',') {
          if (value[k] == '"') {
            return fail(Http1Violation.TRANSFER_ENCODING,
                "quoted parameter in Transfer-Encoding '" + ascii(value, valueLen) + "'");
          }
          k++;
        }
      }
      any = afterToken > tokenStart;
      if (chunked) {
        chunkedCount++;
      }
      lastCodingChunked = chunked;
    }
    if (!any) {
      return fail(Http1Violation.TRANSFER_ENCODING, "empty Transfer-Encoding");
    }
    return true;
  }

  private void connectionField() {
    int k = 0;
    while (k < valueLen) {
      while (k < valueLen && (isOws(value[k]) || value[k] == ',')) {
        k++;
      }
      int tokenStart = k;
      while (k < valueLen && value[k] != ',' && !isOws(value[k])) {
        k++;
      }
      int len = k - tokenStart;
      if (len == 5 && regionEqualsIgnoreCase(tokenStart, "close")) {
        connectionClose = true;
      } else if (len == 10 && regionEqualsIgnoreCase(tokenStart, "keep-alive")) {
        connectionKeepAlive = true;
      } else if (len == 7 && regionEqualsIgnoreCase(tokenStart, "upgrade")) {
        connectionUpgrade = true;
      }
      while (k < valueLen && value[k] != ',') {
        k++;
      }
    }
  }

  private boolean regionEqualsIgnoreCase(int from, String lower) {
    for (int k = 0; k < lower.length(); k++) {
      if (lower(value[from + k]) != lower.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private void appendValue(byte b) {
    if (valueLen == value.length) {
      value = java.util.Arrays.copyOf(value, Math.min(value.length * 2, Math.max(maxHeadBytes, 64)));
    }
    value[valueLen++] = b;
  }

  private boolean isMethod(String m) {
    if (methodLen != m.length()) {
      return false;
    }
    for (int k = 0; k < methodLen; k++) {
      if (method[k] != m.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private boolean fail(Http1Violation v, String detail) {
    violation = v;
    violationDetail = detail;
    event = EV_VIOLATION;
    return false;
  }

  private String section() {
    return inTrailer ? "trailer section" : "request head";
  }

  private void reject(ChannelHandlerContext ctx, boolean partiallyForwarded) {
    state = DISCARD;
    counters.increment(violation);
    rejectionId = Problems.newRequestId();
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} rejected HTTP/1.1 request {}: {} ({})", ctx.channel(), rejectionId, violationDetail, violation);
    }
    if (partiallyForwarded) {
      // Part of this message already went downstream; an answer may be under way. Just close.
      ctx.close();
      return;
    }
    if (trackingResponses && responsesCompleted < messagesForwarded) {
      awaitingResponses = true;
      return;
    }
    sendRejection();
  }

  private void sendRejection() {
    awaitingResponses = false;
    outputClosed = true;
    cancelTimer();
    ctx.writeAndFlush(Unpooled.wrappedBuffer(problemResponse(violation, violationDetail, rejectionId)))
        .addListener(f -> {
          if (f.isSuccess()) {
            lingerAndClose();
          } else {
            ctx.close();
          }
        });
  }

  /**
   * The full raw HTTP/1.1 error response for {@code violation}: the gateway's problem body
   * ({@link Problems}) with {@code requestId}, which is also sent as {@code X-Request-Id}.
   */
  static byte[] problemResponse(Http1Violation violation, String detail, String requestId) {
    int status = violation.status();
    String title = Problems.title(status);
    byte[] bodyBytes = Problems.bytes(status, violation.type(), title, detail, requestId);
    String head = "HTTP/1.1 " + status + " " + title + "\r\n"
        + "Content-Type: " + Problems.PROBLEM_JSON + "\r\n"
        + "Content-Length: " + bodyBytes.length + "\r\n"
        + "Cache-Control: no-store\r\n"
        + "X-Request-Id: " + requestId + "\r\n"
        + "Connection: close\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = java.util.Arrays.copyOf(headBytes, headBytes.length + bodyBytes.length);
    System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
    return all;
  }

  private static String ascii(byte[] bytes, int len) {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < Math.min(len, 64); k++) {
      int c = bytes[k] & 0xFF;
      if (c >= 0x20 && c < 0x7F) {
        sb.append((char) c);
      } else {
        sb.append(hex(c));
      }
    }
    if (len > 64) {
      sb.append("...");
    }
    return sb.toString();
  }

  private static String hex(int c) {
    return String.format("0x%02X", c);
  }

  private static String fieldName(int kind) {
    switch (kind) {
      case F_CONTENT_LENGTH:
        return "Content-Length";
      case F_TRANSFER_ENCODING:
        return "Transfer-Encoding";
      case F_HOST:
        return "Host";
      default:
        return "field";
    }
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  private static boolean isOws(byte b) {
    return b == ' ' || b == '\t';
  }

  private static byte lower(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
  }

  private final class ResponseTracker extends ChannelOutboundHandlerAdapter {
    private boolean informational;
    private int status;
    private boolean closeAfter;

    @Override
    public void write(ChannelHandlerContext outCtx, Object msg, ChannelPromise promise) {
      if (outputClosed) {
        // The connection answered on its own (an early rejection) and is closing: nothing may follow.
        ReferenceCountUtil.release(msg);
        promise.tryFailure(new ClosedChannelException());
        return;
      }
      boolean completes = false;
      if (msg instanceof HttpResponse) {
        HttpResponse response = (HttpResponse) msg;
        status = response.status().code();
        informational = status < 200 && status != 101;
        if (!informational) {
          responsesStarted++;
          closeAfter = response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
        }
      }
      if (msg instanceof LastHttpContent) {
        completes = !informational;
        informational = false;
      }
      boolean answersUpgrade = completes && state == UPGRADE_PENDING
          && responsesCompleted + 1 == upgradeMessage;
      if (answersUpgrade && status != 101) {
        // The upgrade was declined: what the client sent after it is not HTTP/1.1 we validated.
        state = DISCARD;
        releaseHeld();
        promise = promise.unvoid();
        promise.addListener(ChannelFutureListener.CLOSE);
      }
      boolean closing = completes && closeAfter && !answersUpgrade && state != DISCARD;
      if (closing) {
        // The response ends the connection (413, for one) while the client may still be sending.
        outputClosed = true;
        promise = promise.unvoid();
        promise.addListener(f -> {
          if (f.isSuccess() && (headBegun || state != MSG_START)) {
            lingerAndClose();
          } else {
            ctx.close();
          }
        });
      }
      outCtx.write(msg, promise);
      if (answersUpgrade && status == 101) {
        state = PASS_THROUGH;
        ByteBuf rest = held;
        held = null;
        if (rest != null) {
          ctx.channel().eventLoop().execute(() -> ctx.fireChannelRead(rest));
        }
      }
      if (completes) {
        responsesCompleted++;
        if (awaitingResponses && responsesCompleted >= messagesForwarded) {
          sendRejection();
        } else if (timeouts != null && responsesCompleted == messagesForwarded) {
          idleSinceNanos = System.nanoTime();
          updateTiming();
        }
      }
    }

    @Override
    public void close(ChannelHandlerContext outCtx, ChannelPromise promise) {
      if (lingering) {
        // Our lingering close ends the connection in a bounded time; let the caller learn of it then.
        ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
        return;
      }
      outCtx.close(promise);
    }
  }
}
