package io.gatehouse.waf.internal;

import io.gatehouse.waf.WafResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** Fills a transaction's response variables: status and headers (phase 3), body (phase 4). */
final class ResponseVariables {
  private ResponseVariables() {}

  static void populate(Tx tx, WafResponse r) {
    String protocol = Tx.bytes(r.protocol());
    tx.set("RESPONSE_STATUS", Integer.toString(r.status()));
    tx.set("RESPONSE_PROTOCOL", protocol);
    tx.set("STATUS_LINE", protocol + " " + r.status());
    tx.set("RESPONSE_CONTENT_LENGTH", Integer.toString(r.body().length));
    for (Map.Entry<String, String> h : r.headers()) {
      String name = Tx.bytes(h.getKey());
      String value = Tx.bytes(h.getValue());
      tx.add("RESPONSE_HEADERS", name, value);
      tx.add("RESPONSE_HEADERS_NAMES", name, name);
      if (name.toLowerCase(Locale.ROOT).equals("content-type") && tx.scalar("RESPONSE_CONTENT_TYPE").isEmpty()) {
        tx.set("RESPONSE_CONTENT_TYPE", value);
      }
    }
  }

  static void body(Tx tx, WafResponse r) {
    tx.set("RESPONSE_BODY", new String(r.body(), StandardCharsets.ISO_8859_1));
  }
}
