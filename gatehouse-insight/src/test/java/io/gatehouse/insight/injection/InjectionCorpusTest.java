package io.gatehouse.insight.injection;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.insight.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Measures detection rates on the libinjection and OWASP CRS corpora, split by {@link CorpusHalf}:
 * the thresholds hold on the tuning half; the held-out half is measured and printed (the published
 * figures), and only the split itself is asserted there.
 */
class InjectionCorpusTest {
  // The held-out sizes of the split over testdata/ as committed; re-measure after a refresh.
  private static final int HELD_SQLI = 1575;
  private static final int HELD_XSS = 804;
  private static final int HELD_FP = 106;
  private static final int HELD_CRS = 1444;

  private final CorpusRunner runner = new CorpusRunner(InjectionDetector.defaults());

  /** Lines and flagged lines per class of one half. */
  record Libinjection(int[] sqli, int[] xss, int[] fp, String table) {
    double sqliRate() {
      return 100.0 * sqli[1] / sqli[0];
    }

    double xssRate() {
      return 100.0 * xss[1] / xss[0];
    }

    double fpRate() {
      return 100.0 * fp[1] / fp[0];
    }
  }

  @Test
  void detectsLibinjectionTuningHalfWithFewFalsePositives() throws Exception {
    Libinjection t = libinjection(CorpusHalf.TUNING);
    System.out.println("tuning half\n" + t.table());
    assertThat(t.sqliRate()).as("SQLi detection %").isGreaterThanOrEqualTo(99.0);
    assertThat(t.xssRate()).as("XSS detection %").isGreaterThanOrEqualTo(95.0);
    assertThat(t.fpRate()).as("false positive %").isLessThanOrEqualTo(2.0);
  }

  @Test
  void detectsCrsRegressionTuningHalfPerCategory() throws Exception {
    Map<String, CorpusRunner.Row[]> rows = runner.crs(TestData.suite("crs-regression"), CorpusHalf.TUNING);
    System.out.println("tuning half\n" + crsTable(rows));
    // Floors at or a little below the tuning half's figures (see docs/security-analysis.md): they
    // catch regressions without pretending CRS paranoia-level 2-4 rules are all reproduced. 931, 933
    // and 934 were lowered when the split halved their small samples (from 40/90, 50/80, 33/70).
    Map<String, double[]> floors = Map.of(
        "REQUEST-930-APPLICATION-ATTACK-LFI", new double[] {65, 90},
        "REQUEST-931-APPLICATION-ATTACK-RFI", new double[] {25, 90},
        "REQUEST-932-APPLICATION-ATTACK-RCE", new double[] {30, 80},
        "REQUEST-933-APPLICATION-ATTACK-PHP", new double[] {50, 70},
        "REQUEST-934-APPLICATION-ATTACK-GENERIC", new double[] {28, 70},
        "REQUEST-941-APPLICATION-ATTACK-XSS", new double[] {70, 60},
        "REQUEST-942-APPLICATION-ATTACK-SQLI", new double[] {33, 90},
        "REQUEST-944-APPLICATION-ATTACK-JAVA", new double[] {20, 90});
    for (Map.Entry<String, double[]> f : floors.entrySet()) {
      CorpusRunner.Row[] r = rows.get(f.getKey());
      assertThat(r).as(f.getKey()).isNotNull();
      assertThat(r[0].rate()).as(f.getKey() + " attacks detected %").isGreaterThanOrEqualTo(f.getValue()[0]);
      assertThat(r[1].rate()).as(f.getKey() + " benign passed %").isGreaterThanOrEqualTo(f.getValue()[1]);
    }
  }

  /**
   * The published figures (docs/security-analysis.md section 1) are those of the report half, the
   * half held out from tuning: asserted here at the published values, rounded down.
   */
  @Test
  void detectsLibinjectionReportHalfAtThePublishedRates() throws Exception {
    Libinjection report = libinjection(CorpusHalf.HELD_OUT);
    assertThat(report.sqliRate()).as("SQLi detection %, report half").isGreaterThanOrEqualTo(99.0);
    assertThat(report.xssRate()).as("XSS detection %, report half").isGreaterThanOrEqualTo(99.3);
    assertThat(report.fp()[1]).as("false positives of %d benign lines, report half", report.fp()[0]).isLessThanOrEqualTo(1);
  }

  @Test
  void detectsCrsRegressionReportHalfAtThePublishedRates() throws Exception {
    Map<String, CorpusRunner.Row[]> rows = runner.crs(TestData.suite("crs-regression"), CorpusHalf.HELD_OUT);
    // {attacks detected %, benign passed %}: the published report-half figures, rounded down
    Map<String, double[]> published = Map.of(
        "REQUEST-920-PROTOCOL-ENFORCEMENT", new double[] {8, 100},
        "REQUEST-921-PROTOCOL-ATTACK", new double[] {12, 100},
        "REQUEST-930-APPLICATION-ATTACK-LFI", new double[] {70, 100},
        "REQUEST-931-APPLICATION-ATTACK-RFI", new double[] {66, 100},
        "REQUEST-932-APPLICATION-ATTACK-RCE", new double[] {33, 84},
        "REQUEST-933-APPLICATION-ATTACK-PHP", new double[] {51, 93},
        "REQUEST-934-APPLICATION-ATTACK-GENERIC", new double[] {41, 71},
        "REQUEST-941-APPLICATION-ATTACK-XSS", new double[] {77, 100},
        "REQUEST-942-APPLICATION-ATTACK-SQLI", new double[] {36, 94},
        "REQUEST-944-APPLICATION-ATTACK-JAVA", new double[] {22, 100});
    assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(published.keySet());
    int attacks = 0;
    int detected = 0;
    int benign = 0;
    int passed = 0;
    for (Map.Entry<String, double[]> f : published.entrySet()) {
      CorpusRunner.Row[] r = rows.get(f.getKey());
      assertThat(r[0].rate()).as(f.getKey() + " attacks detected %, report half").isGreaterThanOrEqualTo(f.getValue()[0]);
      assertThat(r[1].rate()).as(f.getKey() + " benign passed %, report half").isGreaterThanOrEqualTo(f.getValue()[1]);
      attacks += r[0].total();
      detected += r[0].flagged();
      benign += r[1].total();
      passed += r[1].flagged();
    }
    System.out.printf("CRS report half, all ten categories: %d of %d attack stages detected (%.1f %%), "
        + "%d of %d benign stages passed (%.1f %%)%n", detected, attacks, 100.0 * detected / attacks, passed, benign,
        100.0 * passed / benign);
    assertThat(100.0 * detected / attacks).as("CRS attack stages detected %, report half").isGreaterThanOrEqualTo(32.0);
    assertThat(100.0 * passed / benign).as("CRS benign stages passed %, report half").isGreaterThanOrEqualTo(91.0);
  }

  /**
   * Prints the held-out half's figures (docs/security-analysis.md publishes them) and checks that
   * the split is the documented one: every case in exactly one half, the halves close to even, and
   * the held-out sizes unchanged (a changed split would leak tuned cases into the held-out half).
   */
  @Test
  void measuresHeldOutHalfOfAStableSplit() throws Exception {
    Libinjection held = libinjection(CorpusHalf.HELD_OUT);
    Libinjection tuning = libinjection(CorpusHalf.TUNING);
    Map<String, CorpusRunner.Row[]> crsHeld = runner.crs(TestData.suite("crs-regression"), CorpusHalf.HELD_OUT);
    Map<String, CorpusRunner.Row[]> crsTuning = runner.crs(TestData.suite("crs-regression"), CorpusHalf.TUNING);
    System.out.println("held-out half (published; do not tune on it)\n" + held.table() + "\n" + crsTable(crsHeld));

    int all = 0;
    for (Path f : libinjectionFiles()) {
      all += CorpusRunner.payloads(f).size();
    }
    int heldLines = held.sqli()[0] + held.xss()[0] + held.fp()[0];
    int tuningLines = tuning.sqli()[0] + tuning.xss()[0] + tuning.fp()[0];
    assertThat(heldLines + tuningLines).as("every libinjection line in one half").isEqualTo(all);
    assertThat(100.0 * heldLines / all).as("held-out share %").isBetween(45.0, 55.0);
    int crsHeldStages = 0;
    int crsTuningStages = 0;
    for (String category : crsHeld.keySet()) {
      crsHeldStages += crsHeld.get(category)[0].total() + crsHeld.get(category)[1].total();
      crsTuningStages += crsTuning.get(category)[0].total() + crsTuning.get(category)[1].total();
    }
    assertThat(100.0 * crsHeldStages / (crsHeldStages + crsTuningStages)).as("CRS held-out share %")
        .isBetween(40.0, 60.0);
    assertThat(List.of(held.sqli()[0], held.xss()[0], held.fp()[0], crsHeldStages))
        .as("held-out sizes: SQLi, XSS, false-positive lines, CRS stages")
        .containsExactly(HELD_SQLI, HELD_XSS, HELD_FP, HELD_CRS);
  }

  private Libinjection libinjection(CorpusHalf half) throws IOException {
    int[] sqli = new int[2];
    int[] xss = new int[2];
    int[] fp = new int[2];
    StringBuilder table = new StringBuilder("| libinjection file | lines | flagged | rate |\n|---|---:|---:|---:|\n");
    for (Path f : libinjectionFiles()) {
      String name = f.getFileName().toString();
      boolean benign = name.startsWith("false_positives");
      int[] acc = benign ? fp : name.startsWith("sqli-") ? sqli : name.startsWith("xss-") ? xss : null;
      if (acc == null) {
        continue;
      }
      CorpusRunner.Row row = runner.libinjection(f, !benign, half);
      acc[0] += row.total();
      acc[1] += row.flagged();
      table.append(String.format("| %s | %d | %d | %.1f%% |%n", name, row.total(), row.flagged(), row.rate()));
    }
    table.append(String.format("| **SQLi total** | %d | %d | %.2f%% |%n", sqli[0], sqli[1], 100.0 * sqli[1] / sqli[0]));
    table.append(String.format("| **XSS total** | %d | %d | %.2f%% |%n", xss[0], xss[1], 100.0 * xss[1] / xss[0]));
    table.append(String.format("| **false positives** | %d | %d | %.2f%% |%n", fp[0], fp[1], 100.0 * fp[1] / fp[0]));
    return new Libinjection(sqli, xss, fp, table.toString());
  }

  private static List<Path> libinjectionFiles() throws IOException {
    try (Stream<Path> s = Files.list(TestData.suite("libinjection-data"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList();
    }
  }

  private static String crsTable(Map<String, CorpusRunner.Row[]> rows) {
    StringBuilder table = new StringBuilder(
        "| CRS category | attack stages | detected | benign stages | passed |\n|---|---:|---:|---:|---:|\n");
    for (Map.Entry<String, CorpusRunner.Row[]> e : rows.entrySet()) {
      CorpusRunner.Row a = e.getValue()[0];
      CorpusRunner.Row b = e.getValue()[1];
      table.append(String.format("| %s | %d | %.1f%% | %d | %.1f%% |%n", e.getKey(), a.total(), a.rate(),
          b.total(), b.rate()));
    }
    return table.toString();
  }
}
