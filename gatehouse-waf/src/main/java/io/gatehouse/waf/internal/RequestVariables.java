package io.gatehouse.waf.internal;

import io.gatehouse.waf.WafRequest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Fills a transaction's request-line, header, cookie and query variables (phase 1). */
final class RequestVariables {
  /** The XML content types ModSecurity's recommended configuration sends to the XML processor. */
  private static final java.util.regex.Pattern XML_TYPE =
      java.util.regex.Pattern.compile("^(?:application(?:/soap\\+|/)|text/)xml");
  private RequestVariables() {}

  static void populate(Tx tx, WafRequest r) {
    String method = Tx.bytes(r.method());
    String uri = Tx.bytes(r.uri());
    String protocol = Tx.bytes(r.protocol());
    tx.set("REQUEST_METHOD", method);
    tx.set("REQUEST_PROTOCOL", protocol);
    tx.set("REQUEST_URI_RAW", uri);
    tx.set("REQUEST_LINE", method + " " + uri + " " + protocol);
    String target = uri;
    int scheme = target.indexOf("://");
    if (scheme > 0 && scheme < 8 && !target.startsWith("/")) {
      int slash = target.indexOf('/', scheme + 3);
      target = slash < 0 ? "/" : target.substring(slash);
    }
    tx.set("REQUEST_URI", target);
    int hash = target.indexOf('#');
    if (hash >= 0) {
      target = target.substring(0, hash);
    }
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? "" : target.substring(q + 1);
    String filename = percentDecode(path);
    tx.set("REQUEST_FILENAME", filename);
    int lastSlash = filename.lastIndexOf('/');
    tx.set("REQUEST_BASENAME", lastSlash < 0 ? filename : filename.substring(lastSlash + 1));
    tx.set("QUERY_STRING", query);
    tx.set("PATH_INFO", "");
    if (q >= 0) {
      for (String[] kv : BodyProcessors.urlencoded(query)) {
        tx.add("ARGS_GET", kv[0], kv[1]);
        tx.add("ARGS_GET_NAMES", kv[0], kv[0]);
        tx.add("ARGS", kv[0], kv[1]);
        tx.add("ARGS_NAMES", kv[0], kv[0]);
      }
    }
    StringBuilder full = new StringBuilder(method + " " + uri + " " + protocol + "\n");
    String contentType = null;
    for (Map.Entry<String, String> h : r.headers()) {
      String name = Tx.bytes(h.getKey());
      String value = Tx.bytes(h.getValue());
      tx.add("REQUEST_HEADERS", name, value);
      tx.add("REQUEST_HEADERS_NAMES", name, name);
      full.append(name).append(": ").append(value).append('\n');
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.equals("cookie")) {
        cookies(tx, value);
      } else if (lower.equals("content-type") && contentType == null) {
        contentType = value;
      } else if (lower.equals("host")) {
        tx.set("SERVER_NAME", value);
      }
    }
    tx.set("REMOTE_ADDR", r.remoteAddress());
    tx.set("REMOTE_HOST", r.remoteAddress());
    tx.set("REMOTE_PORT", "0");
    tx.set("SERVER_PORT", "0");
    tx.set("UNIQUE_ID", Long.toHexString(ThreadLocalRandom.current().nextLong()));
    tx.set("REQBODY_ERROR", "0");
    tx.set("REQBODY_PROCESSOR_ERROR", "0");
    tx.set("MULTIPART_STRICT_ERROR", "0");
    tx.set("MULTIPART_UNMATCHED_BOUNDARY", "0");
    tx.set("INBOUND_DATA_ERROR", "0");
    tx.set("URLENCODED_ERROR", "0");
    tx.set("HIGHEST_SEVERITY", "255");
    tx.set("REQUEST_BODY_LENGTH", Integer.toString(r.body().length));
    tx.set("FULL_REQUEST_LENGTH", Integer.toString(full.length() + r.body().length));
    tx.set("FULL_REQUEST", full.toString());
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    tx.set("TIME_EPOCH", Long.toString(now.toEpochSecond()));
    tx.set("TIME_YEAR", Integer.toString(now.getYear()));
    tx.set("TIME_MON", Integer.toString(now.getMonthValue()));
    tx.set("TIME_DAY", Integer.toString(now.getDayOfMonth()));
    tx.set("TIME_HOUR", Integer.toString(now.getHour()));
    tx.set("TIME_MIN", Integer.toString(now.getMinute()));
    tx.set("TIME_SEC", Integer.toString(now.getSecond()));
    tx.set("TIME_WDAY", Integer.toString(now.getDayOfWeek().getValue() % 7));
    if (contentType != null) {
      String ct = contentType.toLowerCase(Locale.ROOT).trim();
      if (ct.startsWith("application/x-www-form-urlencoded")) {
        tx.bodyProcessor = "URLENCODED";
      } else if (ct.startsWith("multipart/form-data")) {
        tx.bodyProcessor = "MULTIPART";
      } else if (XML_TYPE.matcher(ct).find()) {
        tx.bodyProcessor = "XML";
      } else if (ct.startsWith("application/json")) {
        tx.bodyProcessor = "JSON";
      }
    }
    tx.set("REQBODY_PROCESSOR", tx.bodyProcessor == null ? "" : tx.bodyProcessor);
    tx.contentType = contentType;
  }

  /** Decodes {@code %XX} escapes of a path ({@code +} stays a plus). */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    return Transforms.urlDecode(s.replace("+", "%2B"), false);
  }

  private static void cookies(Tx tx, String header) {
    for (String part : header.split(";")) {
      String p = part.stripLeading();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq);
      String value = eq < 0 ? "" : p.substring(eq + 1);
      tx.add("REQUEST_COOKIES", name, value);
      tx.add("REQUEST_COOKIES_NAMES", name, name);
    }
  }
}
