package io.gatehouse.waf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Measures the CPU time of one inspection of a 1 KB JSON POST by the Core Rule Set at paranoia
 * level 1 (thread CPU time, not wall time); run its {@code main} from the test class path to
 * profile the engine. Arguments: warm-up and measured iteration counts.
 */
public final class WafCostProfile {
  private WafCostProfile() {}

  /** The 1 KB JSON order body the cost figures are measured on. */
  static String oneKilobyteOrder() {
    StringBuilder json = new StringBuilder("{\"customer\":\"c-1042\",\"items\":[");
    for (int i = 0; json.length() < 1000; i++) {
      json.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(1000 + i)
          .append("\",\"quantity\":").append(i % 5 + 1).append(",\"note\":\"gift wrap please\"}");
    }
    return json.append("]}").toString();
  }

  /** CPU microseconds per inspection of {@code request}, after {@code warmup} unmeasured runs. */
  static double microsPerInspection(WafEngine engine, WafRequest request, int warmup, int n) {
    for (int i = 0; i < warmup; i++) {
      engine.inspect(request);
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long cpu = mx.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      engine.inspect(request);
    }
    return (mx.getCurrentThreadCpuTime() - cpu) / (double) n / 1000;
  }

  public static void main(String[] args) throws Exception {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    WafEngine engine = CrsBenignTrafficTest.crsLevelOne();
    String body = oneKilobyteOrder();
    WafRequest r = CrsBenignTrafficTest.post(body);
    System.out.printf("CRS paranoia level 1, %d-byte JSON POST: %.1f us CPU per inspection%n", body.length(),
        microsPerInspection(engine, r, warmup, n));
  }
}
