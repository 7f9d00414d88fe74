package io.gatehouse.gateway.internal.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.gateway.Http2Limits;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Http2HeaderRulesTest {
  private static Http2Headers request(String... nameValues) {
    Http2Headers h = new DefaultHttp2Headers(false);
    for (int i = 0; i < nameValues.length; i += 2) {
      h.add(nameValues[i], nameValues[i + 1]);
    }
    return h;
  }

  @Test
  void acceptsOptionsAsteriskAndOriginForm() {
    assertThat(Http2HeaderRules.checkRequest(request(":method", "OPTIONS", ":scheme", "https", ":path", "*"))).isNull();
    assertThat(Http2HeaderRules.checkRequest(request(":method", "GET", ":scheme", "http", ":path", "/a?b=c",
        ":authority", "example.com:8443", "te", "trailers", "content-length", "0"))).isNull();
  }

  @Test
  void namesTheFieldButNeverRepeatsARegularFieldValue() {
    Http2Rejection r = Http2HeaderRules.checkRequest(request(":method", "GET", ":scheme", "https", ":path", "/",
        "authorization", "Bearer secret-token\r\n"));
    assertThat(r.violation()).isEqualTo(Http2Violation.FIELD_VALUE);
    assertThat(r.detail()).contains("authorization").doesNotContain("secret-token");
  }

  @Test
  void refusesContentLengthInTrailers() {
    assertThat(Http2HeaderRules.checkTrailers(request("content-length", "1")).violation())
        .isEqualTo(Http2Violation.CONTENT_LENGTH);
    assertThat(Http2HeaderRules.checkTrailers(request("x-checksum", "abc"))).isNull();
  }

  @Test
  void refusesLimitsOutOfRangeNamingTheRange() {
    assertThatThrownBy(() -> Http2Limits.defaults().withMaxConcurrentStreams(0))
        .hasMessageContaining("1..65535").hasMessageContaining("0");
    assertThatThrownBy(() -> Http2Limits.defaults().withResets(10, Duration.ofMillis(10)))
        .hasMessageContaining("PT1S..PT1H");
  }
}
