package io.gatehouse.waf.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.waf.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A transformation leaves every value its {@link Transforms.Inert} set admits unchanged but for the
 * case of ASCII letters (the engine then reuses the value's own literal scan for the chain): checked
 * on random values over an alphabet of every character the transformations treat specially, and on
 * every line of the regression suite, for each transformation alone and for chains of them.
 */
class TransformsTest {
  private static final List<String> NAMES = List.of("lowercase", "uppercase", "urldecode", "urldecodeuni",
      "htmlentitydecode", "jsdecode", "cssdecode", "escapeseqdecode", "removenulls", "replacenulls",
      "removewhitespace", "compresswhitespace", "cmdline", "replacecomments", "removecomments",
      "removecommentschar", "normalisepath", "normalizepathwin", "utf8tounicode", "trim", "base64decode",
      "hexdecode", "sqlhexdecode", "length", "sha1", "urlencode");

  private static final String ALPHABET = "aZ09 ._-/\\()%+&#;*\"'^,\t\n\r\f\u000b\0\u00a0\u00e9\u00c3\u00a9xu<!>=:";

  private static List<String> values() throws Exception {
    List<String> values = new ArrayList<>();
    Random random = new Random(16);
    for (int i = 0; i < 200_000; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = random.nextInt(9); n > 0; n--) {
        b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      values.add(b.toString());
    }
    values.addAll(List.of("", ".", "..", "a--b", "a /b", "a  b", " a", "a\u00a0b", "&amp;", "%41", "a+b"));
    try (Stream<Path> s = Files.walk(TestData.suite("crs-regression"))) {
      for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.ISO_8859_1)) {
          values.add(line.strip());
        }
      }
    }
    return values;
  }

  private static boolean admitted(Transforms.Inert inert, String value) {
    long[] shape = new long[3];
    Transforms.shape(value, shape);
    return inert.holds(shape[0], shape[1], (int) shape[2]);
  }

  private static String fold(String s) {
    return Transforms.lower(s);
  }

  @Test
  void inertValuesAreUnchangedButForCase() throws Exception {
    List<String> values = values();
    for (String name : NAMES) {
      Transforms.Transform t = Transforms.get(name);
      int admitted = 0;
      for (String v : values) {
        if (admitted(t.inert(), v)) {
          admitted++;
          assertThat(fold(t.apply(v))).as("t:%s on [%s]", name, v).isEqualTo(fold(v));
        }
      }
      if (t.inert() != Transforms.Inert.NEVER) {
        assertThat(admitted).as("values t:%s admits", name).isGreaterThan(1000);
      }
    }
  }

  @Test
  void chainsAdmitWhatEachStepAdmits() throws Exception {
    List<String> values = values();
    Random random = new Random(61);
    for (int c = 0; c < 300; c++) {
      List<Transforms.Transform> chain = new ArrayList<>();
      Transforms.Inert inert = Transforms.Inert.ALWAYS;
      for (int n = 1 + random.nextInt(4); n > 0; n--) {
        Transforms.Transform t = Transforms.get(NAMES.get(random.nextInt(NAMES.size() - 7)));
        chain.add(t);
        inert = inert.and(t.inert());
      }
      for (int i = c; i < values.size(); i += 97) {
        String v = values.get(i);
        if (admitted(inert, v)) {
          String out = v;
          for (Transforms.Transform t : chain) {
            out = t.apply(out);
          }
          assertThat(fold(out)).as("%s on [%s]", chain, v).isEqualTo(fold(v));
        }
      }
    }
  }

  @Test
  void transformationsThatAlwaysChangeAdmitNothing() {
    for (String name : List.of("length", "sha1", "md5", "base64decode", "hexdecode", "trim")) {
      assertThat(admitted(Transforms.get(name).inert(), "")).as(name).isFalse();
      assertThat(admitted(Transforms.get(name).inert(), "abc")).as(name).isFalse();
    }
  }
}
