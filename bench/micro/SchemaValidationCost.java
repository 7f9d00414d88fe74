import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.gateway.internal.validation.SchemaDialect;
import io.gatehouse.gateway.internal.validation.SchemaValidator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;

/** CPU cost of validating a ~200-byte JSON body against a precompiled schema. Run with bench/micro.sh. */
public class SchemaValidationCost {
  static final String SCHEMA = """
      {"type":"object","required":["customer","items"],"additionalProperties":false,
       "properties":{"customer":{"type":"string","maxLength":64},
         "items":{"type":"array","maxItems":50,"items":{"type":"object","required":["sku","price","qty"],
           "properties":{"sku":{"type":"string","pattern":"^[A-Z]+-[0-9]+$"},"price":{"type":"number","minimum":0},
             "qty":{"type":"integer","minimum":1}}}}}}""";

  public static void main(String[] args) throws Exception {
    SchemaValidator v = SchemaValidator.compile(new ObjectMapper().readTree(SCHEMA), SchemaDialect.OPENAPI_3_1);
    byte[] body = ("{\"customer\":\"ann\",\"items\":[{\"sku\":\"ABC-1\",\"price\":9.5,\"qty\":2},"
        + "{\"sku\":\"XYZ-22\",\"price\":19.99,\"qty\":1},{\"sku\":\"QQQ-3\",\"price\":0,\"qty\":10}]}")
        .getBytes(StandardCharsets.UTF_8);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      v.validate(body);
    }
    for (int round = 0; round < 3; round++) {
      long cpu0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        if (!v.validate(body).isEmpty()) {
          throw new AssertionError("the sample body must be valid");
        }
      }
      long cpu1 = mx.getCurrentThreadCpuTime();
      System.out.printf("schema validation, %d-byte body: %.2f us CPU per request%n", body.length,
          (cpu1 - cpu0) / 1000.0 / n);
    }
  }
}
