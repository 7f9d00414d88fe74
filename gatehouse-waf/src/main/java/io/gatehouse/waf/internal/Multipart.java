package io.gatehouse.waf.internal;

import java.util.Locale;

/** The multipart/form-data body processor: form fields into ARGS_POST, file parts into FILES. */
final class Multipart {
  private Multipart() {}

  static void parse(Tx tx, String body, String contentType) {
    String boundary = boundary(contentType);
    if (boundary == null) {
      tx.set("MULTIPART_STRICT_ERROR", "1");
      throw new IllegalArgumentException("the multipart Content-Type has no boundary");
    }
    String delim = "--" + boundary;
    int pos = body.indexOf(delim);
    if (pos < 0) {
      tx.set("MULTIPART_STRICT_ERROR", "1");
      throw new IllegalArgumentException("the multipart body has no boundary line");
    }
    long filesSize = 0;
    boolean closed = false;
    while (true) {
      int after = pos + delim.length();
      if (body.startsWith("--", after)) {
        closed = true;
        break;
      }
      int next = body.indexOf(delim, after);
      if (next < 0) {
        break;
      }
      String part = body.substring(after, next);
      part = part.startsWith("\r\n") ? part.substring(2) : part.startsWith("\n") ? part.substring(1) : part;
      if (part.endsWith("\r\n")) {
        part = part.substring(0, part.length() - 2);
      } else if (part.endsWith("\n")) {
        part = part.substring(0, part.length() - 1);
      }
      int headerEnd = part.indexOf("\r\n\r\n");
      int sep = 4;
      if (headerEnd < 0) {
        headerEnd = part.indexOf("\n\n");
        sep = 2;
      }
      String headers = headerEnd < 0 ? part : part.substring(0, headerEnd);
      String content = headerEnd < 0 ? "" : part.substring(headerEnd + sep);
      String name = null;
      String filename = null;
      for (String h : headers.split("\r?\n")) {
        if (h.isEmpty()) {
          continue;
        }
        int colon = h.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String hn = h.substring(0, colon).trim();
        String hv = h.substring(colon + 1).trim();
        if (hn.equalsIgnoreCase("content-disposition")) {
          name = param(hv, "name");
          filename = param(hv, "filename");
          if (filename == null) {
            String star = param(hv, "filename*");
            filename = star;
          }
        }
        tx.add("MULTIPART_PART_HEADERS", name == null ? "" : name, h);
      }
      if (name != null) {
        // part headers seen before the name was known are filed under the empty name
        tx.add("MULTIPART_NAME", name, name);
        if (filename != null) {
          tx.add("FILES", name, filename);
          tx.add("FILES_NAMES", name, name);
          tx.add("FILES_SIZES", name, Integer.toString(content.length()));
          tx.add("MULTIPART_FILENAME", name, filename);
          filesSize += content.length();
        } else {
          BodyProcessors.arg(tx, name, content);
        }
      }
      pos = next;
    }
    tx.set("FILES_COMBINED_SIZE", Long.toString(filesSize));
    if (!closed) {
      tx.set("MULTIPART_UNMATCHED_BOUNDARY", "1");
      tx.set("MULTIPART_STRICT_ERROR", "1");
    }
  }

  private static String boundary(String contentType) {
    if (contentType == null) {
      return null;
    }
    String b = param(contentType, "boundary");
    return b == null || b.isEmpty() ? null : b;
  }

  /** A parameter of a header value ({@code name="x"} or {@code name=x}), or null. */
  static String param(String header, String name) {
    String lower = header.toLowerCase(Locale.ROOT);
    int from = 0;
    while (true) {
      int i = lower.indexOf(name + "=", from);
      if (i < 0) {
        return null;
      }
      boolean boundaryOk = i == 0 || lower.charAt(i - 1) == ';' || lower.charAt(i - 1) == ' ' || lower.charAt(i - 1) == '\t';
      if (!boundaryOk) {
        from = i + 1;
        continue;
      }
      int v = i + name.length() + 1;
      if (v < header.length() && header.charAt(v) == '"') {
        int end = header.indexOf('"', v + 1);
        return end < 0 ? header.substring(v + 1) : header.substring(v + 1, end);
      }
      int end = header.indexOf(';', v);
      return (end < 0 ? header.substring(v) : header.substring(v, end)).trim();
    }
  }
}
