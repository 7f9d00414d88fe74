package io.gatehouse.gateway.internal.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OpenApiContractLimitsTest {

  @Test
  void refusesSchemasNestedTooDeeplyToCompileInsteadOfThrowingAnError() throws Exception {
    String nested = "{\"type\":\"object\",\"properties\":{\"a\":".repeat(450) + "{\"type\":\"string\"}" + "}}".repeat(450);
    String doc = "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"t\",\"version\":\"1\"},\"paths\":{\"/a\":{\"post\":{"
        + "\"requestBody\":{\"content\":{\"application/json\":{\"schema\":" + nested + "}}},"
        + "\"responses\":{\"200\":{\"description\":\"ok\"}}}}}}";
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try {
        OpenApiContract.compile(doc);
      } catch (Throwable e) {
        thrown.set(e);
      }
    }, "small-stack", 128 * 1024);
    t.start();
    t.join();
    assertThat(thrown.get()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the OpenAPI document's schemas are nested too deeply to compile");
  }
}
