import io.gatehouse.insight.injection.InjectionDetector;
import io.gatehouse.insight.injection.InspectedRequest;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;

/**
 * CPU cost and allocation of inspecting one request with a 1 KB JSON body, after warm-up (five
 * rounds; report the median and range). Run with bench/micro.sh.
 */
public class InjectionCost {
  static final String BODY_1KB = "{\"id\":\"6f1c2b9e-3d4a-4c5b-9e8f-0a1b2c3d4e5f\",\"customer\":{\"name\":\"Jane Doe\","
      + "\"email\":\"jane.doe@example.com\",\"phone\":\"+1 415 555 0100\",\"address\":{\"street\":\"1 Market Street\","
      + "\"city\":\"San Francisco\",\"zip\":\"94105\",\"country\":\"US\"}},\"items\":[{\"sku\":\"SKU-12345\","
      + "\"title\":\"Blue cotton t-shirt, size M\",\"quantity\":2,\"price\":19.99},{\"sku\":\"SKU-67890\","
      + "\"title\":\"Running shoes (men's), size 43\",\"quantity\":1,\"price\":89.5},{\"sku\":\"SKU-11111\","
      + "\"title\":\"Gift card\",\"quantity\":1,\"price\":25}],\"notes\":\"Please leave the parcel at the door "
      + "if nobody answers. Thanks!\",\"coupon\":\"SPRING-2024\",\"createdAt\":\"2024-03-01T12:34:56Z\","
      + "\"channel\":\"web\",\"tags\":[\"priority\",\"gift\",\"returning-customer\"],\"payment\":{\"method\":\"card\","
      + "\"last4\":\"4242\",\"currency\":\"USD\"},\"shipping\":{\"method\":\"express\",\"carrier\":\"UPS\","
      + "\"instructions\":\"Ring twice; call 555-0100 when outside.\"},\"marketing\":{\"optIn\":true,"
      + "\"source\":\"newsletter\",\"campaign\":\"spring_sale_2024\",\"medium\":\"email\",\"segment\":\"loyal\"},\"referrer\":\"https://www.example.com/"
      + "products/shoes?utm_source=newsletter\"}";

  public static void main(String[] args) {
    InjectionDetector d = InjectionDetector.defaults();
    InspectedRequest req = new InspectedRequest("POST", "/api/v1/orders", "expand=items&page=2",
        List.of(Map.entry("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/126.0"),
            Map.entry("Content-Type", "application/json")), "application/json", BODY_1KB);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) mx;
    long self = Thread.currentThread().getId();
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      d.inspect(req);
    }
    for (int round = 0; round < 5; round++) {
      long bytes0 = alloc.getThreadAllocatedBytes(self);
      long cpu0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        d.inspect(req);
      }
      long cpu1 = mx.getCurrentThreadCpuTime();
      long bytes1 = alloc.getThreadAllocatedBytes(self);
      System.out.printf("injection inspection, %d-byte JSON body: %.2f us CPU, %d bytes allocated per request%n",
          BODY_1KB.length(), (cpu1 - cpu0) / 1000.0 / n, (bytes1 - bytes0) / n);
    }
  }
}
