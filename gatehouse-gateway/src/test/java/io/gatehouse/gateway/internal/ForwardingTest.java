package io.gatehouse.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingTest {

  @Test
  void recognisesHopByHopFieldsInAnyCaseAndThoseListedInConnection() {
    for (String name : List.of("Connection", "KEEP-ALIVE", "proxy-connection", "TE", "Trailer",
        "Transfer-Encoding", "upgrade", "Proxy-Authenticate", "Proxy-Authorization", "Expect", "Host",
        "HTTP2-Settings")) {
      assertThat(Forwarding.isHopByHop(name, null)).as(name).isTrue();
    }
    assertThat(Forwarding.isHopByHop("X-Custom", null)).isFalse();
    assertThat(Forwarding.isHopByHop("X-Custom", "close, x-custom")).isTrue();
    assertThat(Forwarding.isHopByHop("X-Custom", " keep-alive ,X-CUSTOM ")).isTrue();
    assertThat(Forwarding.isHopByHop("X-Custom", "x-customer")).isFalse();
    assertThat(Forwarding.isHopByHop("Accept", "close")).isFalse();
  }

  @Test
  void connectionListNeverRemovesContentLength() {
    assertThat(Forwarding.isHopByHop("Content-Length", "close, Content-Length")).isFalse();
    assertThat(Forwarding.dropsClientHeader("content-length", "Content-Length", "Subscription-Key", false, false))
        .isFalse();
    assertThat(Forwarding.dropsClientHeader("X-User", "X-User", "Subscription-Key", false, false)).isTrue();
  }

  @Test
  void dropsKeyUnderscoresAndUntrustedClientIpHeaders() {
    assertThat(Forwarding.dropsClientHeader("subscription-KEY", null, "Subscription-Key", true, true)).isTrue();
    assertThat(Forwarding.dropsClientHeader("X_Forwarded_For", null, "k", true, false)).isTrue();
    assertThat(Forwarding.dropsClientHeader("X_Forwarded_For", null, "k", true, true)).isFalse();
    for (String name : List.of("X-Real-IP", "True-Client-IP", "X-Client-IP", "CF-Connecting-IP",
        "Fastly-Client-IP", "X-Cluster-Client-IP")) {
      assertThat(Forwarding.dropsClientHeader(name, null, "k", false, false)).as(name).isTrue();
      assertThat(Forwarding.dropsClientHeader(name, null, "k", true, false)).as(name).isFalse();
    }
    assertThat(Forwarding.dropsClientHeader("Accept", "close", "k", false, false)).isFalse();
  }

  @Test
  void takesClientIpFromForwardedForOnlyBehindTrustedProxies() {
    Cidr trusted = Cidr.parse(List.of("10.0.0.0/8", "::1/128"));
    assertThat(Forwarding.clientIp("203.0.113.5", "1.2.3.4", trusted)).isEqualTo("203.0.113.5");
    assertThat(Forwarding.clientIp("10.1.1.1", "1.2.3.4, 10.2.2.2", trusted)).isEqualTo("1.2.3.4");
    assertThat(Forwarding.clientIp("::1", "6.6.6.6, 198.51.100.7", trusted)).isEqualTo("198.51.100.7");
  }

  @Test
  void generatesOrKeepsRequestIds() {
    io.vertx.core.MultiMap h = io.vertx.core.MultiMap.caseInsensitiveMultiMap();
    assertThat(Forwarding.requestId(h)).matches("[0-9a-f]{32}");
    h.set("X-Request-Id", "abc-1.2:3");
    assertThat(Forwarding.requestId(h)).isEqualTo("abc-1.2:3");
    h.set("X-Request-Id", "bad id<script>");
    assertThat(Forwarding.requestId(h)).matches("[0-9a-f]{32}");
  }
}
