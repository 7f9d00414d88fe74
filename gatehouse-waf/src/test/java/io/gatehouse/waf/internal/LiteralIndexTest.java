package io.gatehouse.waf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.waf.InjectionDetector;
import io.gatehouse.waf.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The combined literal index selects, for every value, exactly the {@code @rx} patterns whose own
 * prefilter lets the value through: checked over every indexable pattern of the Core Rule Set and
 * the payload lines of its regression suite (as written and percent-decoded) and the benign corpus.
 */
class LiteralIndexTest {
  /** Chains the patterns are spread over, so that chains share literals and id ranges interleave. */
  private static final int CHAINS = 3;

  private static List<String> crsPatterns() throws Exception {
    Path root = TestData.suite("crs-rules");
    Parser parser = new Parser(new Operators(InjectionDetector.NONE));
    parser.parseFile(root.resolve("crs-setup.conf.example"));
    try (Stream<Path> s = Files.list(root.resolve("rules"))) {
      for (Path p : s.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
        parser.parseFile(p);
      }
    }
    Set<String> patterns = new LinkedHashSet<>();
    for (Rule r : parser.rules()) {
      for (Rule link = r; link != null; link = link.next) {
        if (link.operator instanceof Operators.Rx rx && rx.regex().hasPrefilter()) {
          patterns.add(rx.pattern());
        }
      }
    }
    return new ArrayList<>(patterns);
  }

  private static List<String> values() throws Exception {
    Set<String> values = new LinkedHashSet<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(TestData.suite("crs-regression"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path f : files) {
      for (String line : Files.readAllLines(f, StandardCharsets.ISO_8859_1)) {
        String v = line.strip();
        if (!v.isEmpty()) {
          values.add(v);
          values.add(Transforms.urlDecode(v, true));
        }
      }
    }
    for (String line : Files.readAllLines(TestData.suite("libinjection-data").resolve("false_positives-half.txt"),
        StandardCharsets.ISO_8859_1)) {
      values.add(line);
    }
    values.addAll(List.of("", "gift wrap please", "SKU-1001", "json.items.0.sku", "c-1042", "application/json"));
    return new ArrayList<>(values);
  }

  @Test
  void selectsExactlyThePatternsWhosePrefilterLetsTheValueThrough() throws Exception {
    List<String> patterns = crsPatterns();
    assertThat(patterns).hasSizeGreaterThan(200);
    List<List<String>> byChain = new ArrayList<>();
    for (int c = 0; c < CHAINS; c++) {
      byChain.add(new ArrayList<>());
    }
    List<Prefilter> own = new ArrayList<>();
    for (int i = 0; i < patterns.size(); i++) {
      byChain.get(i % CHAINS).add(patterns.get(i));
      own.add(Prefilter.of(patterns.get(i)));
    }
    LiteralIndex index = new LiteralIndex(byChain);
    LiteralIndex.Scratch scratch = new LiteralIndex.Scratch();
    List<String> values = values();
    assertThat(values).hasSizeGreaterThan(5000);
    long selected = 0;
    for (String v : values) {
      LiteralIndex.Found found = index.scan(v, scratch);
      long[][] sel = new long[CHAINS][];
      for (int c = 0; c < CHAINS; c++) {
        sel[c] = index.select(c, found, scratch);
      }
      for (int i = 0; i < patterns.size(); i++) {
        boolean expected = own.get(i).mayMatch(v);
        boolean actual = LiteralIndex.selected(sel[i % CHAINS], i / CHAINS);
        if (actual != expected) {
          throw new AssertionError("pattern " + patterns.get(i) + " on value " + v + ": index says " + actual
              + ", its prefilter " + expected);
        }
        selected += actual ? 1 : 0;
      }
    }
    // the index is not vacuous: it selects some pairs and rejects most
    assertThat(selected).isPositive().isLessThan((long) values.size() * patterns.size() / 2);
  }

  @Test
  void oneScanServesEveryChainAndAValueWithoutLiteralsSelectsNothing() {
    // chain 0: two patterns, chain 1: the first again (its literals numbered apart from chain 0's)
    LiteralIndex index = new LiteralIndex(List.of(List.of("(?i)union\\s+select", "a<b|<c"), List.of("(?i)union\\s+select")));
    LiteralIndex.Scratch scratch = new LiteralIndex.Scratch();
    LiteralIndex.Found none = index.scan("nothing here", scratch);
    assertThat(index.select(0, none, scratch)).isEqualTo(LiteralIndex.NONE);
    LiteralIndex.Found union = index.scan("1 UNION  SELECT 2", scratch);
    assertThat(LiteralIndex.selected(index.select(0, union, scratch), 0)).isTrue();
    assertThat(LiteralIndex.selected(index.select(0, union, scratch), 1)).isFalse();
    assertThat(LiteralIndex.selected(index.select(1, union, scratch), 0)).isTrue();
    LiteralIndex.Found lt = index.scan("x <c", scratch);
    assertThat(LiteralIndex.selected(index.select(0, lt, scratch), 1)).isTrue();
    assertThat(LiteralIndex.selected(index.select(1, lt, scratch), 0)).isFalse();
  }
}
