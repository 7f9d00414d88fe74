package io.gatehouse.insight.injection;

import io.gatehouse.insight.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Development aid for tuning: prints the tuning half's rates and misses (args: sqli|xss|fp|crs
 * [filter]). It never shows the held-out half, whose figures are published untouched.
 */
public final class CorpusMain {
  public static void main(String[] args) throws Exception {
    CorpusRunner r = new CorpusRunner(InjectionDetector.defaults());
    String what = args.length > 0 ? args[0] : "all";
    Path lib = TestData.suite("libinjection-data");
    List<Path> files;
    try (Stream<Path> s = Files.list(lib)) {
      files = s.sorted().toList();
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      boolean sqli = name.startsWith("sqli-");
      boolean xss = name.startsWith("xss-");
      boolean fp = name.startsWith("false_positives");
      if (!(what.equals("all") || (what.equals("sqli") && sqli) || (what.equals("xss") && xss)
          || (what.equals("fp") && fp))) {
        continue;
      }
      if (!sqli && !xss && !fp) {
        continue;
      }
      CorpusRunner.Row row = r.libinjection(f, !fp, CorpusHalf.TUNING);
      System.out.printf("%-45s %5d %5d %6.1f%%%n", name, row.total(), row.flagged(), row.rate());
      for (String m : row.misses()) {
        System.out.println("   MISS " + m + (fp ? "  => " + r.asQueryValue(m) : ""));
      }
    }
    if (what.equals("crs") || what.equals("all")) {
      Map<String, CorpusRunner.Row[]> crs = r.crs(TestData.suite("crs-regression"), CorpusHalf.TUNING);
      for (Map.Entry<String, CorpusRunner.Row[]> e : crs.entrySet()) {
        if (args.length > 1 && !e.getKey().contains(args[1])) {
          System.out.printf("%-40s attack %4d/%4d %6.1f%%  benign %4d/%4d %6.1f%%%n", e.getKey(),
              e.getValue()[0].flagged(), e.getValue()[0].total(), e.getValue()[0].rate(),
              e.getValue()[1].flagged(), e.getValue()[1].total(), e.getValue()[1].rate());
          continue;
        }
        System.out.printf("%-40s attack %4d/%4d %6.1f%%  benign %4d/%4d %6.1f%%%n", e.getKey(),
            e.getValue()[0].flagged(), e.getValue()[0].total(), e.getValue()[0].rate(),
            e.getValue()[1].flagged(), e.getValue()[1].total(), e.getValue()[1].rate());
        if (args.length > 1) {
          e.getValue()[0].misses().forEach(m -> System.out.println("   MISSED " + m));
          e.getValue()[1].misses().forEach(m -> System.out.println("   FLAGGED " + m));
        }
      }
    }
  }
}
