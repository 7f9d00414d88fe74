import io.gatehouse.gateway.internal.validation.OpenApiContract;
import io.gatehouse.insight.audit.OpenApiAuditor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs the other two readers of OpenAPI descriptions over a corpus, one description at a time:
 * the security audit (audit-spec, the management API's import warnings) and the validation
 * contract (validate-content, validate-parameters). Prints per reader: accepted, refused (a clear
 * IllegalArgumentException), crashed (any other throwable, a StackOverflowError included) and the
 * CPU time. Usage: java -cp CLASSPATH CorpusCheck.java LIST_FILE BASE_DIR
 */
public class CorpusCheck {
  public static void main(String[] args) throws Exception {
    List<String> files = Files.readAllLines(Path.of(args[0]));
    Path base = Path.of(args[1]);
    Map<String, int[]> counts = new TreeMap<>();
    Map<String, Long> cpu = new TreeMap<>();
    Map<String, String> firstCrash = new TreeMap<>();
    var bean = java.lang.management.ManagementFactory.getThreadMXBean();
    for (String f : files) {
      String text = Files.readString(base.resolve(f), StandardCharsets.UTF_8);
      for (String reader : List.of("audit", "contract")) {
        int[] c = counts.computeIfAbsent(reader, k -> new int[3]);
        long start = bean.getCurrentThreadCpuTime();
        try {
          if (reader.equals("audit")) {
            OpenApiAuditor.audit(text);
          } else {
            OpenApiContract.compile(text);
          }
          c[0]++;
        } catch (IllegalArgumentException e) {
          c[1]++;
        } catch (Throwable e) {
          c[2]++;
          firstCrash.putIfAbsent(reader, f + ": " + e);
        }
        cpu.merge(reader, bean.getCurrentThreadCpuTime() - start, Long::sum);
      }
    }
    for (var e : counts.entrySet()) {
      int[] c = e.getValue();
      System.out.printf("%-8s accepted %d, refused %d, crashed %d, CPU %.1f s%s%n", e.getKey(), c[0], c[1], c[2],
          cpu.get(e.getKey()) / 1e9, firstCrash.containsKey(e.getKey()) ? " (first crash: " + firstCrash.get(e.getKey()) + ")" : "");
    }
  }
}
