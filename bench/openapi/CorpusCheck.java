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
 * CPU time. Usage: java -cp CLASSPATH CorpusCheck.java LIST_FILE BASE_DIR [READERS=audit,contract]
 * Prints the slowest descriptions per reader, and a line per 250 descriptions on standard error.
 */
public class CorpusCheck {
  public static void main(String[] args) throws Exception {
    List<String> files = Files.readAllLines(Path.of(args[0]));
    Path base = Path.of(args[1]);
    Map<String, int[]> counts = new TreeMap<>();
    Map<String, Long> cpu = new TreeMap<>();
    Map<String, String> firstCrash = new TreeMap<>();
    List<String> readers = List.of((args.length > 2 ? args[2] : "audit,contract").split(","));
    Map<String, java.util.PriorityQueue<Map.Entry<Long, String>>> slowest = new TreeMap<>();
    int done = 0;
    Map<String, Map<String, Integer>> reasons = new TreeMap<>();
    var bean = java.lang.management.ManagementFactory.getThreadMXBean();
    for (String f : files) {
      String text = Files.readString(base.resolve(f), StandardCharsets.UTF_8);
      if (++done % 250 == 0) {
        System.err.println(done + " of " + files.size());
      }
      for (String reader : readers) {
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
          String why = String.valueOf(e.getMessage()).replaceAll("'[^']*'", "'…'");
          reasons.computeIfAbsent(reader, k -> new TreeMap<>())
              .merge(why.substring(0, Math.min(110, why.length())), 1, Integer::sum);
        } catch (Throwable e) {
          c[2]++;
          firstCrash.putIfAbsent(reader, f + ": " + e);
        }
        long spent = bean.getCurrentThreadCpuTime() - start;
        cpu.merge(reader, spent, Long::sum);
        var top = slowest.computeIfAbsent(reader, k -> new java.util.PriorityQueue<>(Map.Entry.comparingByKey()));
        top.add(Map.entry(spent, f));
        if (top.size() > 3) {
          top.poll();
        }
      }
    }
    for (var e : counts.entrySet()) {
      int[] c = e.getValue();
      System.out.printf("%-8s accepted %d, refused %d, crashed %d, CPU %.1f s%s%n", e.getKey(), c[0], c[1], c[2],
          cpu.get(e.getKey()) / 1e9, firstCrash.containsKey(e.getKey()) ? " (first crash: " + firstCrash.get(e.getKey()) + ")" : "");
      slowest.get(e.getKey()).stream().sorted(Map.Entry.<Long, String>comparingByKey().reversed())
          .forEach(s -> System.out.printf("         %.1f s %s%n", s.getKey() / 1e9, s.getValue()));
      reasons.getOrDefault(e.getKey(), Map.of()).entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(12)
          .forEach(r -> System.out.printf("  %5d refused: %s%n", r.getValue(), r.getKey()));
    }
  }
}
