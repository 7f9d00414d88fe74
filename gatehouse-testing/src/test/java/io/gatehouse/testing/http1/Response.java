package io.gatehouse.testing.http1;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * One final HTTP/1.1 response read off a raw socket by the corpus tests: Content-Length framed (as
 * every response of the servers under test is); interim (1xx) responses are skipped.
 */
final class Response {
  final int status;
  final String head;
  final String body;

  Response(int status, String head, String body) {
    this.status = status;
    this.head = head;
    this.body = body;
  }

  static Response read(InputStream in, boolean toHead) throws IOException {
    while (true) {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        head.write(b);
        byte[] h = head.toByteArray();
        int n = h.length;
        if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
          break;
        }
      }
      if (head.size() == 0) {
        return null;
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (b < 0) {
        fail("connection closed inside a response head: " + text);
      }
      int status = Integer.parseInt(text.substring(9, 12));
      if (status >= 100 && status < 200) {
        continue;
      }
      int length = 0;
      for (String line : text.split("\r\n")) {
        if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
          length = Integer.parseInt(line.substring(15).trim());
        }
        if (line.regionMatches(true, 0, "transfer-encoding:", 0, 18)) {
          fail("unexpected chunked response: " + text);
        }
      }
      byte[] body = in.readNBytes(toHead ? 0 : length);
      return new Response(status, text, new String(body, StandardCharsets.UTF_8));
    }
  }
}
