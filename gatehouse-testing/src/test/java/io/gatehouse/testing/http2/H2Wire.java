package io.gatehouse.testing.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A raw HTTP/2 client for tests: writes hand-built frames (header blocks as HPACK literals without
 * indexing, so any name or value can be sent, valid or not) and reads the server's frames on a
 * thread of its own, decoding response header blocks with Netty's HPACK decoder. It acknowledges
 * the server's SETTINGS (the first one before the constructor returns) and nothing else.
 */
final class H2Wire implements Closeable {
  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int CONTINUATION = 9;
  static final int END_STREAM = 0x1;
  static final int ACK = 0x1;
  static final int END_HEADERS = 0x4;
  static final long PROTOCOL_ERROR = 0x1;
  static final long REFUSED_STREAM = 0x7;
  static final long CANCEL = 0x8;
  static final long ENHANCE_YOUR_CALM = 0xb;

  /** One frame received; {@code headers} is set for HEADERS frames with END_HEADERS. */
  record Frame(int type, int flags, int streamId, byte[] payload, Http2Headers headers) {
    /** The error code of a RST_STREAM or GOAWAY frame. */
    long errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ((payload[at] & 0xFFL) << 24) | ((payload[at + 1] & 0xFF) << 16) | ((payload[at + 2] & 0xFF) << 8)
          | (payload[at + 3] & 0xFF);
    }

    String status() {
      return headers == null || headers.status() == null ? null : headers.status().toString();
    }

    @Override
    public String toString() {
      return "Frame[type=" + type + ", flags=" + flags + ", stream=" + streamId + ", length=" + payload.length
          + (headers != null ? ", headers=" + headers : "")
          + (type == RST_STREAM || type == GOAWAY ? ", error=" + errorCode() : "") + "]";
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);

  private H2Wire(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    // Our preface and SETTINGS first, then the server's SETTINGS acknowledged, all before a test
    // writes anything: an acknowledgement before our own SETTINGS is a connection error, and one
    // between a test's HEADERS and CONTINUATION frames is too.
    write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
    DataInputStream in = new DataInputStream(socket.getInputStream());
    socket.setSoTimeout(30_000);
    int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    in.readInt();
    in.readFully(new byte[length]);
    socket.setSoTimeout(0);
    if (type != SETTINGS || (flags & ACK) != 0) {
      throw new IOException("expected the server's SETTINGS as its first frame but got type " + type + ", flags " + flags);
    }
    frame(SETTINGS, ACK, 0, new byte[0]);
    Thread reader = new Thread(() -> readLoop(in), "h2wire-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Cleartext HTTP/2 with prior knowledge. */
  static H2Wire h2c(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setTcpNoDelay(true);
    return new H2Wire(s);
  }

  /** HTTP/2 over TLS, negotiated with ALPN {@code h2}; the server certificate is not checked. */
  static H2Wire tls(int port, String serverName) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, new SecureRandom());
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    SSLParameters params = s.getSSLParameters();
    params.setApplicationProtocols(new String[] {"h2"});
    params.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(serverName)));
    s.setSSLParameters(params);
    s.setTcpNoDelay(true);
    s.startHandshake();
    if (!"h2".equals(s.getApplicationProtocol())) {
      throw new IOException("expected ALPN h2 but got '" + s.getApplicationProtocol() + "'");
    }
    return new H2Wire(s);
  }

  /** A header block of literal fields without indexing: names and values exactly as given. */
  static byte[] block(String... nameValues) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < nameValues.length; i += 2) {
      b.write(0x00);
      string(b, nameValues[i].getBytes(StandardCharsets.ISO_8859_1));
      string(b, nameValues[i + 1].getBytes(StandardCharsets.ISO_8859_1));
    }
    return b.toByteArray();
  }

  private static void string(ByteArrayOutputStream b, byte[] s) {
    int n = s.length;
    if (n < 127) {
      b.write(n);
    } else {
      b.write(127);
      n -= 127;
      while (n >= 128) {
        b.write((n & 0x7F) | 0x80);
        n >>>= 7;
      }
      b.write(n);
    }
    b.write(s, 0, s.length);
  }

  /** A valid GET request's fields for {@code path}, followed by {@code extra} name/value pairs. */
  static String[] get(String path, String... extra) {
    String[] base = {":method", "GET", ":scheme", "https", ":path", path, ":authority", "localhost"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  /** Sends one HEADERS frame with END_HEADERS carrying {@code nameValues}. */
  H2Wire headers(int streamId, boolean endStream, String... nameValues) throws IOException {
    frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, block(nameValues));
    return this;
  }

  /** Sends a DATA frame. */
  H2Wire data(int streamId, byte[] bytes, boolean endStream) throws IOException {
    frame(DATA, endStream ? END_STREAM : 0, streamId, bytes);
    return this;
  }

  /** Sends a RST_STREAM frame. */
  H2Wire reset(int streamId, long code) throws IOException {
    frame(RST_STREAM, 0, streamId, int32(code));
    return this;
  }

  static byte[] int32(long v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  /** Writes a frame with the given header fields and payload. */
  synchronized void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    byte[] f = new byte[9 + payload.length];
    int n = payload.length;
    f[0] = (byte) (n >>> 16);
    f[1] = (byte) (n >>> 8);
    f[2] = (byte) n;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) ((streamId >>> 24) & 0x7F);
    f[6] = (byte) (streamId >>> 16);
    f[7] = (byte) (streamId >>> 8);
    f[8] = (byte) streamId;
    System.arraycopy(payload, 0, f, 9, n);
    out.write(f);
    out.flush();
  }

  private synchronized void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Waits up to 30 s for a received frame matching {@code match}, skipping others; fails when none comes. */
  Frame await(Predicate<Frame> match, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    StringBuilder seen = new StringBuilder();
    while (true) {
      long left = deadline - System.nanoTime();
      Frame f = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
      if (f == null) {
        throw new AssertionError("no " + what + " within 30 s; received " + seen);
      }
      if (match.test(f)) {
        return f;
      }
      seen.append(f).append(' ');
    }
  }

  /** Waits for the response HEADERS or RST_STREAM of {@code streamId}. */
  Frame awaitAnswer(int streamId) throws InterruptedException {
    return await(f -> f.streamId() == streamId && (f.type() == HEADERS || f.type() == RST_STREAM),
        "HEADERS or RST_STREAM on stream " + streamId);
  }

  /** Waits for a GOAWAY frame. */
  Frame awaitGoAway() throws InterruptedException {
    return await(f -> f.type() == GOAWAY, "GOAWAY");
  }

  /** Waits up to 30 s until the server closed the connection; returns whether it did. */
  boolean awaitClosed() throws InterruptedException {
    return closed.await(30, TimeUnit.SECONDS);
  }

  private void readLoop(DataInputStream in) {
    try {
      ByteArrayOutputStream block = null;
      int blockStream = 0;
      int blockFlags = 0;
      while (true) {
        int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int streamId = in.readInt() & 0x7FFFFFFF;
        byte[] payload = new byte[length];
        in.readFully(payload);
        Http2Headers headers = null;
        if (type == SETTINGS && (flags & ACK) == 0) {
          frame(SETTINGS, ACK, 0, new byte[0]);
        }
        if (type == HEADERS) {
          block = new ByteArrayOutputStream();
          blockStream = streamId;
          blockFlags = flags;
          block.write(fragment(payload, flags), 0, fragment(payload, flags).length);
        } else if (type == CONTINUATION && block != null) {
          block.write(payload, 0, payload.length);
          flags |= blockFlags & END_STREAM;
        }
        if ((type == HEADERS || type == CONTINUATION) && (flags & END_HEADERS) != 0 && block != null) {
          ByteBuf buf = Unpooled.wrappedBuffer(block.toByteArray());
          headers = hpack.decodeHeaders(blockStream, buf);
          buf.release();
          block = null;
          frames.add(new Frame(HEADERS, flags | blockFlags, blockStream, payload, headers));
          continue;
        }
        frames.add(new Frame(type, flags, streamId, payload, null));
      }
    } catch (EOFException | java.net.SocketException e) {
      // closed by the server
    } catch (Exception e) {
      frames.add(new Frame(-1, 0, 0, String.valueOf(e).getBytes(StandardCharsets.UTF_8), null));
    } finally {
      closed.countDown();
    }
  }

  private static byte[] fragment(byte[] payload, int flags) {
    int start = 0;
    int end = payload.length;
    if ((flags & 0x8) != 0) {
      int pad = payload[0] & 0xFF;
      start = 1;
      end -= pad;
    }
    if ((flags & 0x20) != 0) {
      start += 5;
    }
    byte[] f = new byte[end - start];
    System.arraycopy(payload, start, f, 0, f.length);
    return f;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
