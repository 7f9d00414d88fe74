package io.gatehouse.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 backend for tests of connection handling: it numbers its connections and
 * the requests on each, records every request it read completely, and per request either answers
 * 200 with keep-alive or closes the connection without an answer, as {@link Script} says; it can
 * also close every connection that waits idle for its next request.
 */
final class ScriptedBackend implements AutoCloseable {
  /** What to do with request number {@code request} (from 1) on connection number {@code connection} (from 1). */
  interface Script {
    boolean answer(int connection, int request);
  }

  /** One request read completely. */
  record Seen(int connection, int request, String method, String target, String body) {}

  private final ServerSocket server;
  private final Script script;
  private final AtomicInteger connections = new AtomicInteger();
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  /** Connection number to the nanoTime its last answer was written. */
  final Map<Integer, Long> answeredAt = new ConcurrentHashMap<>();
  /** Connection number to the nanoTime the gateway closed it (end of stream while idle). */
  final Map<Integer, Long> closedByGatewayAt = new ConcurrentHashMap<>();
  private final Map<Integer, Socket> idle = new ConcurrentHashMap<>();
  volatile String extraHeaders = "";

  ScriptedBackend(Script script) throws IOException {
    this.script = script;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "scripted-backend");
    t.setDaemon(true);
    t.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  int connections() {
    return connections.get();
  }

  /** Closes (FIN) every connection that is waiting for its next request with nothing read yet. */
  void closeIdle() throws IOException {
    for (Socket s : idle.values()) {
      s.close();
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        int n = connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s, n), "scripted-backend-" + n);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s, int connection) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      for (int request = 1; ; request++) {
        idle.put(connection, s);
        in.mark(1);
        int first = in.read();
        idle.remove(connection);
        if (first < 0) {
          closedByGatewayAt.put(connection, System.nanoTime());
          return;
        }
        in.reset();
        String head = readHead(in);
        String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
        String lower = head.toLowerCase(Locale.ROOT);
        String body;
        if (lower.contains("\r\ntransfer-encoding: chunked")) {
          body = readChunked(in);
        } else {
          int at = lower.indexOf("\r\ncontent-length:");
          int length = at < 0 ? 0
              : Integer.parseInt(lower.substring(at + 17, lower.indexOf("\r\n", at + 2)).trim());
          body = new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
        }
        seen.add(new Seen(connection, request, requestLine[0], requestLine[1], body));
        if (!script.answer(connection, request)) {
          return; // closes without an answer, after reading the whole request
        }
        byte[] answer = ("c" + connection + "r" + request).getBytes(StandardCharsets.US_ASCII);
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length + "\r\n" + extraHeaders + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.write(answer);
        out.flush();
        answeredAt.put(connection, System.nanoTime());
      }
    } catch (IOException | RuntimeException e) {
      // the gateway reset the connection, or the test closed it
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("end of stream in the request head");
      }
      head.write(b);
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("end of stream in a chunked body");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  private static String readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(readLine(in).trim(), 16);
      if (size == 0) {
        while (!readLine(in).isEmpty()) {
          // trailers
        }
        return body.toString(StandardCharsets.ISO_8859_1);
      }
      byte[] data = in.readNBytes(size);
      if (data.length < size) {
        throw new IOException("end of stream in a chunk");
      }
      body.write(data);
      readLine(in);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    closeIdle();
  }
}
