package io.gatehouse.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestPathTest {

  @Test
  void refusesDotSegmentsPlainEncodedAndWithParameters() {
    for (String path : List.of("/a/../b", "/a/./b", "/a/%2e%2E/b", "/a/.%2e", "/a/..", "/files/..;/admin/1",
        "/a/.;x/b", "/x%2F..%2F", "/x%2f..%2fadmin", "/%2E")) {
      assertThat(RequestPath.of(path).isRefused()).as(path).isTrue();
    }
    for (String path : List.of("/a/...", "/a/.well-known/x", "/file.txt", "/a/..b", "/a;x/b", "/a/")) {
      assertThat(RequestPath.of(path).isRefused()).as(path).isFalse();
    }
  }

  @Test
  void refusesBackslashesFragmentsBadEscapesAndEmptySegments() {
    for (String path : List.of("/x\\..\\..\\admin", "/a%5Cb", "/a%5cb", "/a#b", "/a%zz", "/a%4", "/a%00",
        "/a%252e%252e/b", "/a%252F", "/a%255c", "/a//b", "/a b", "/a\u00e9", "relative")) {
      assertThat(RequestPath.of(path).isRefused()).as(path).isTrue();
    }
    assertThat(RequestPath.of(null).isRefused()).isTrue();
  }

  @Test
  void decodesUnreservedEscapesAndUpperCasesTheRest() {
    assertThat(RequestPath.of("/%61dmin/%7e1").value()).isEqualTo("/admin/~1");
    assertThat(RequestPath.of("/a%20b%c3%a9").value()).isEqualTo("/a%20b%C3%A9");
    assertThat(RequestPath.of("/a%25b").value()).isEqualTo("/a%25b");
    String plain = "/orders/items/7";
    assertThat(RequestPath.of(plain).value()).isSameAs(plain);
  }

  @Test
  void recordsEncodedSlashesInUpperCase() {
    RequestPath p = RequestPath.of("/admin%2f1");
    assertThat(p.encodedSlash()).isTrue();
    assertThat(p.value()).isEqualTo("/admin%2F1");
    assertThat(RequestPath.of("/admin/1").encodedSlash()).isFalse();
  }
}
