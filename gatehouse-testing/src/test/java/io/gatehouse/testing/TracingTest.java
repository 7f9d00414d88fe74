package io.gatehouse.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Spans of gateway requests and backend calls, and W3C trace context at the backend. */
class TracingTest {
  @RegisterExtension static final GatehouseExtension GH = GatehouseExtension.create();
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PARENT = "00f067aa0ba902b7";

  InMemorySpanExporter spans;
  OpenTelemetrySdk otel;

  @BeforeEach
  void tracing() {
    GH.apply("""
        backends:
          - name: echo
            url: ${env:UPSTREAM_URL}
        apis:
          - name: orders
            path: /orders
            backend: echo
            subscriptionRequired: false
        """);
    spans = InMemorySpanExporter.create();
    otel = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .build();
    GH.gateway().tracing(otel);
  }

  @AfterEach
  void off() {
    GH.gateway().tracing(null);
    otel.close();
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    Await.until("the condition", condition);
  }

  @Test
  void continuesTheIncomingTraceAndPropagatesTheBackendSpanToTheBackend() throws Exception {
    assertThat(GH.get("/orders/a?x=1", "traceparent", "00-" + TRACE + "-" + PARENT + "-01").statusCode()).isEqualTo(200);
    RecordedRequest atBackend = GH.upstream().take(5);
    await(() -> spans.getFinishedSpanItems().size() == 2);
    List<SpanData> finished = spans.getFinishedSpanItems();
    SpanData server = finished.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
    SpanData client = finished.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();

    assertThat(server.getTraceId()).isEqualTo(TRACE);
    assertThat(server.getParentSpanId()).isEqualTo(PARENT);
    assertThat(server.getName()).isEqualTo("GET orders");
    assertThat(server.getAttributes().get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
    assertThat(server.getAttributes().get(AttributeKey.stringKey("gatehouse.api"))).isEqualTo("orders");
    assertThat(server.getAttributes().get(AttributeKey.stringKey("url.path"))).isEqualTo("/orders/a");
    assertThat(server.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);

    assertThat(client.getTraceId()).isEqualTo(TRACE);
    assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(client.getAttributes().get(AttributeKey.stringKey("url.full")))
        .isEqualTo(GH.upstream().url().replace("localhost", "127.0.0.1") + "/a?x=1");
    assertThat(client.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);

    assertThat(atBackend.header("traceparent")).isEqualTo("00-" + TRACE + "-" + client.getSpanId() + "-01");
  }

  @Test
  void startsATraceWithoutAnIncomingOneAndMarksGatewayErrors() throws Exception {
    assertThat(GH.get("/orders/b").statusCode()).isEqualTo(200);
    RecordedRequest atBackend = GH.upstream().take(5);
    await(() -> spans.getFinishedSpanItems().size() == 2);
    SpanData server = spans.getFinishedSpanItems().stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst()
        .orElseThrow();
    assertThat(server.getParentSpanContext().isValid()).isFalse();
    assertThat(atBackend.header("traceparent")).startsWith("00-" + server.getTraceId() + "-");

    spans.reset();
    assertThat(GH.get("/nowhere").statusCode()).isEqualTo(404);
    await(() -> spans.getFinishedSpanItems().size() == 1);
    SpanData rejected = spans.getFinishedSpanItems().get(0);
    assertThat(rejected.getName()).isEqualTo("GET");
    assertThat(rejected.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("no-route");
    assertThat(rejected.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void createsNoSpansWhenTracingIsOff() throws Exception {
    GH.gateway().tracing(null);
    String incoming = "00-" + TRACE + "-" + PARENT + "-01";
    assertThat(GH.get("/orders/c", "traceparent", incoming).statusCode()).isEqualTo(200);
    assertThat(GH.upstream().take(5).header("traceparent")).isEqualTo(incoming);
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }
}
