package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.gateway.security.BodySample;
import io.gatehouse.gateway.security.BodySampling;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Body sampling and API lifecycle through the real gateway. */
class BodySamplingTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();

  static final String CONFIG = """
      backends:
        - name: echo
          url: ${env:UPSTREAM_URL}
      apis:
        - name: users
          path: /users
          backend: echo
          subscriptionRequired: false
          operations: ["GET /{id}", "POST /"]
        - name: masked
          path: /masked
          backend: echo
          subscriptionRequired: false
          policies: {outbound: [{set-header: {name: X-Seen, value: seen}}]}
        - name: old
          path: /old
          backend: echo
          subscriptionRequired: false
          inventory: {lifecycle: deprecated}
        - name: gone
          path: /gone
          backend: echo
          subscriptionRequired: false
          inventory: {lifecycle: retired}
      """;

  final LinkedBlockingQueue<BodySample> samples = new LinkedBlockingQueue<>();
  AutoCloseable sampling;

  @BeforeEach
  void configure() {
    GH.apply(CONFIG);
    GH.upstream().respondWith(req -> req.response().putHeader("Content-Type", "application/json")
        .end("{\"id\":42,\"card\":\"4111 1111 1111 1111\",\"padding\":\"" + "x".repeat(200) + "\"}"));
  }

  @AfterEach
  void stop() throws Exception {
    if (sampling != null) {
      sampling.close();
    }
  }

  @Test
  void samplesTheFirstBytesOfRequestAndResponseBodiesWhileTheyStream() throws Exception {
    sampling = BodySampling.install(new BodySampling.Settings(1.0, 64), samples::add);
    HttpResponse<String> r = GH.send(GH.request("/users/?x=1").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"alice@example.com\",\"more\":\"" + "y".repeat(100) + "\"}"))
        .build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).endsWith("x\"}").hasSizeGreaterThan(200); // the client got everything
    BodySample s = samples.poll(5, TimeUnit.SECONDS);
    assertThat(s).isNotNull();
    assertThat(s.api()).isEqualTo("users");
    assertThat(s.operation()).isEqualTo("POST /");
    assertThat(s.method()).isEqualTo("POST");
    assertThat(s.status()).isEqualTo(200);
    assertThat(s.query()).isEqualTo("x=1");
    assertThat(s.requestBody()).startsWith("{\"email\":\"alice@example.com\"").hasSize(64);
    assertThat(s.responseBody()).startsWith("{\"id\":42,\"card\":\"4111 1111 1111 1111\"").hasSize(64);
    assertThat(s.truncated()).isTrue();
  }

  @Test
  void samplesResponsesThatPassThroughOutboundPolicies() throws Exception {
    sampling = BodySampling.install(new BodySampling.Settings(1.0, 4096), samples::add);
    HttpResponse<String> r = GH.get("/masked/users/7");
    assertThat(r.statusCode()).isEqualTo(200);
    BodySample s = samples.poll(5, TimeUnit.SECONDS);
    assertThat(s).isNotNull();
    assertThat(s.path()).isEqualTo("/users/7");
    assertThat(s.responseBody()).isEqualTo(r.body());
    assertThat(s.truncated()).isFalse();
  }

  @Test
  void samplesNothingAtRateZeroOrWhenNotInstalled() throws Exception {
    assertThat(GH.get("/users/1").statusCode()).isEqualTo(200);
    sampling = BodySampling.install(new BodySampling.Settings(0.0, 4096), samples::add);
    assertThat(GH.get("/users/1").statusCode()).isEqualTo(200);
    sampling.close();
    sampling = BodySampling.install(new BodySampling.Settings(1.0, 4096), samples::add);
    assertThat(GH.get("/users/3").statusCode()).isEqualTo(200);
    BodySample s = samples.poll(5, TimeUnit.SECONDS);
    assertThat(s.path()).isEqualTo("/3"); // the first sample is the third request's
  }

  @Test
  void retiredApiAnswers410AndDeprecatedApiAddsTheDeprecationHeader() throws Exception {
    HttpResponse<String> gone = GH.get("/gone/x");
    assertThat(gone.statusCode()).isEqualTo(410);
    assertThat(gone.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(gone.body()).contains("retired");
    HttpResponse<String> old = GH.get("/old/x");
    assertThat(old.statusCode()).isEqualTo(200);
    assertThat(old.headers().firstValue("Deprecation")).hasValue("true");
    assertThat(GH.get("/users/1").headers().firstValue("Deprecation")).isEmpty();
    assertThat(GH.upstream().drain()).hasSize(2);
  }
}
