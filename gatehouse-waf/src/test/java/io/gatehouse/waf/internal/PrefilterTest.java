package io.gatehouse.waf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrefilterTest {
  private static final List<String> PATTERNS = List.of(
      "(?i)/\\*[\\s\\x0b]*?[!\\+](?:[\\s\\x0b\\(\\)\\-0-9=A-Z_a-z]+)?\\*/",
      "a(?:[b-z]+)?c", "(?i)\\b(?:union|select)\\b[\\s\\x0b]+from", "x(?=y)z|w(?!v)", "(a|)b{2,3}",
      "(?:^|[;|&\\n])\\s*c[\\x5c'\"]*a[\\x5c'\"]*t\\b", "(?i)(?:^|;)c[\"'\\x5c]*(?:\\$[a-z]*)?a[\"'\\x5c]*t\\b", "([a-z])\\1q", "[[:alpha:]]+-[Kk]ey");

  private static final List<String> VALUES = List.of("9999 or {if length((/*!5000select username/*!comment*/",
      "ac", "abzc", "UNION  FROM", "xz", "w", "bb", "abbb", "; c\\a't", "aaq", "x-KEY", "x-\u212aey", "nothing here",
      "/* + */", "SELECT\tfrom", "cat", "c$xa't", "c\\at");

  @Test
  void neverRejectsAValueItsPatternMatches() {
    for (String pattern : PATTERNS) {
      Regex re = Regex.compile(pattern);
      Prefilter p = Prefilter.of(pattern);
      for (String v : VALUES) {
        if (re.run(null, v)) {
          assertThat(p == null || p.mayMatch(v)).as(pattern + " on " + v).isTrue();
        }
      }
    }
  }

  @Test
  void rejectsValuesWithoutTheRequiredLiterals() {
    Prefilter p = Prefilter.of("(?i)/\\*[\\s\\x0b]*?[!\\+](?:[\\s\\x0b\\(\\)\\-0-9=A-Z_a-z]+)?\\*/");
    assertThat(p.toString()).isEqualTo("AND['/*', OR['!', '+'], '*/'] / plain: FALSE");
    assertThat(p.mayMatch("gift wrap please")).isFalse();
    assertThat(p.mayMatch("/*!comment*/")).isTrue();
    assertThat(Prefilter.of("(?i)\\b(?:union|select)\\b").mayMatch("SeLeCt")).isTrue();
    assertThat(Prefilter.of("(?i)\\b(?:union|select)\\b").mayMatch("SKU-1000")).isFalse();
  }

  @Test
  void plainValuesSkipOptionalPunctuationLedParts() {
    // command names with evasion characters and $var insertions between their letters
    Prefilter p = Prefilter.of("(?i)(?:^|;)c[\"'\\x5c]*(?:\\$[a-z]*)?a[\"'\\x5c]*t\\b");
    assertThat(p.toString()).isEqualTo("AND[OR['c', ';c'], 'a', 't'] / plain: 'cat'");
    assertThat(p.mayMatch("gift wrap please")).isFalse();
    assertThat(p.mayMatch("a cat")).isTrue();
    assertThat(p.mayMatch("c'a't")).isTrue();
  }

  @Test
  void givesUpOnSyntaxItDoesNotKnowAndOnPatternsWithoutLiterals() {
    assertThat(Prefilter.of("\\Qab\\E")).isNull();
    assertThat(Prefilter.of("(?x) a b")).isNull();
    assertThat(Prefilter.of("[a-z]+\\d*")).isNull();
    assertThat(Prefilter.of("a?b*")).isNull();
  }
}
