import io.gatehouse.insight.sensitive.SensitiveDataScanner;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU cost of scanning one sampled body for every sensitive data type (what the server's
 * sensitive-data thread does per body at the default --sample-max-bytes 8192), after warm-up.
 * Run with bench/micro.sh.
 */
public class SensitiveScanCost {
  public static void main(String[] args) {
    StringBuilder b = new StringBuilder("[");
    int i = 0;
    while (b.length() < 8000) {
      b.append("{\"id\":").append(1000 + i).append(",\"name\":\"Customer number ").append(i)
          .append("\",\"created\":\"2026-01-0").append(i % 9 + 1)
          .append("T10:00:00Z\",\"note\":\"ordered 3 items, shipped by courier\",\"total\":").append(19.99 + i)
          .append("},");
      i++;
    }
    b.append("{\"card\":\"4111 1111 1111 1111\",\"email\":\"ann@example.com\"}]");
    String body = b.toString();
    String small = "{\"id\":42,\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"card\":\"4111 1111 1111 1111\"}";
    run("8 KiB JSON list, one card and one e-mail at the end", body, 20_000);
    run("small JSON object with an e-mail and a card", small, 200_000);
  }

  static void run(String what, String text, int n) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int k = 0; k < n; k++) {
      sink += SensitiveDataScanner.scan(text, 8192).matches().size();
    }
    long t0 = mx.getCurrentThreadCpuTime();
    for (int k = 0; k < n; k++) {
      sink += SensitiveDataScanner.scan(text, 8192).matches().size();
    }
    long t1 = mx.getCurrentThreadCpuTime();
    System.out.printf("SensitiveScanCost %s (%d chars): %.1f µs CPU per scan, %d matches%n", what, text.length(),
        (t1 - t0) / 1000.0 / n, sink / (2L * n));
  }
}
