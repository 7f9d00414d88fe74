package io.gatehouse.server.internal;

import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.ConfigException;
import org.junit.jupiter.api.Test;

class ScratchProbeTest {
  static void probe(String pol) {
    String y = "backends:\n  - name: b\n    url: http://x\napis:\n  - name: a\n    path: /a\n    backend: b\n    policies:\n      inbound:\n        - " + pol + "\n";
    try {
      var c = ConfigLoader.withEnvironment(java.util.Map.of()).parse(y, "g.yaml", null);
      System.out.println("PROBE " + pol + " >>> " + io.gatehouse.gateway.Gateway.check(c));
    } catch (ConfigException e) {
      System.out.println("PROBE " + pol + " >>> " + e.getMessage().replace("\n", " | "));
    }
  }

  @Test
  void probe() {
    probe("set-header: {name: [x], value: y}");
    probe("set-header: {name: x, value: [y]}");
    probe("rate-limit: {calls: [1], period: 1s}");
    probe("rate-limit: {calls: 1, period: [1s]}");
    probe("validate-jwt: {jwks: [x]}");
    probe("ip-filter: {allow: [[1]]}");
    probe("cors: {allowedOrigins: [[x]]}");
    probe("return-response: {status: 200, body: [x]}");
    probe("set-body: {template: [x]}");
    probe("json-to-xml: {apply: [x]}");
    probe("validate-content: {schema: [x]}");
    probe("rewrite-uri: {template: [x]}");
    probe("cache-lookup: {duration: [x]}");
    probe("mock-response: {status: [x]}");
  }
}
