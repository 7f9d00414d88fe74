package io.gatehouse.insight.injection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Runs the detector over one half ({@link CorpusHalf}) of the libinjection and CRS corpora and
 * tabulates detection rates.
 */
final class CorpusRunner {
  /** One row of the result table. */
  record Row(String name, int total, int flagged, List<String> misses) {
    double rate() {
      return total == 0 ? 0 : 100.0 * flagged / total;
    }
  }

  /**
   * The CRS rule files whose regression tests measure the detector. The testdata folder holds the
   * tests of every rule file (the WAF runs them all); method enforcement (911), scanner detection
   * (913), multipart (922), session fixation (943) and blocking evaluation (949) are not injection
   * categories, and adding them would change the published split and its sizes.
   */
  static final java.util.Set<String> CRS_CATEGORIES = java.util.Set.of(
      "REQUEST-920-PROTOCOL-ENFORCEMENT", "REQUEST-921-PROTOCOL-ATTACK",
      "REQUEST-930-APPLICATION-ATTACK-LFI", "REQUEST-931-APPLICATION-ATTACK-RFI",
      "REQUEST-932-APPLICATION-ATTACK-RCE", "REQUEST-933-APPLICATION-ATTACK-PHP",
      "REQUEST-934-APPLICATION-ATTACK-GENERIC", "REQUEST-941-APPLICATION-ATTACK-XSS",
      "REQUEST-942-APPLICATION-ATTACK-SQLI", "REQUEST-944-APPLICATION-ATTACK-JAVA");

  private final InjectionDetector detector;

  CorpusRunner(InjectionDetector detector) {
    this.detector = detector;
  }

  /** Payload lines of a libinjection data file: '#' comments and blank lines are skipped. */
  static List<String> payloads(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      out.add(line);
    }
    return out;
  }

  /**
   * A line is treated as the raw query-string value as it arrives on the wire: the query parser
   * form-decodes it once, then the detector sees it (and may decode further).
   */
  List<io.gatehouse.insight.injection.InjectionFinding> asQueryValue(String line) {
    return detector.inspectValue("query:q", InjectionDetector.formDecode(line));
  }

  /** The lines of {@code file} that belong to {@code half}. */
  static List<String> payloads(Path file, CorpusHalf half) throws IOException {
    return payloads(file).stream().filter(line -> CorpusHalf.of(line) == half).toList();
  }

  Row libinjection(Path file, boolean attack, CorpusHalf half) throws IOException {
    List<String> lines = payloads(file, half);
    int flagged = 0;
    List<String> misses = new ArrayList<>();
    for (String line : lines) {
      boolean hit = !asQueryValue(line).isEmpty();
      if (hit) {
        flagged++;
      }
      if (hit != attack) {
        misses.add(line);
      }
    }
    return new Row(file.getFileName().toString(), lines.size(), flagged, misses);
  }

  /** Per CRS directory of {@link #CRS_CATEGORIES}, over the tests of {@code half}: [attack rows, benign rows]. */
  Map<String, Row[]> crs(Path root, CorpusHalf half) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Map<String, Row[]> out = new TreeMap<>();
    List<Path> dirs;
    try (Stream<Path> s = Files.list(root)) {
      dirs = s.filter(Files::isDirectory).filter(d -> CRS_CATEGORIES.contains(d.getFileName().toString())).sorted().toList();
    }
    if (dirs.size() != CRS_CATEGORIES.size()) {
      throw new IllegalStateException("expected the CRS regression tests of " + CRS_CATEGORIES + " in " + root + ", found " + dirs);
    }
    for (Path dir : dirs) {
      int attacks = 0;
      int detected = 0;
      int benign = 0;
      int passed = 0;
      List<String> missedAttacks = new ArrayList<>();
      List<String> flaggedBenign = new ArrayList<>();
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      }
      for (Path f : files) {
        JsonNode doc;
        try {
          doc = yaml.readTree(f.toFile());
        } catch (IOException e) {
          continue;
        }
        for (JsonNode test : doc.path("tests")) {
          if (CorpusHalf.of(crsKey(f, test)) != half) {
            continue;
          }
          for (JsonNode stage : test.path("stages")) {
            JsonNode in = stage.path("input");
            JsonNode log = stage.path("output").path("log");
            boolean attack;
            if (log.has("expect_ids")) {
              attack = true;
            } else if (log.has("no_expect_ids")) {
              attack = false;
            } else {
              continue;
            }
            if (in.has("encoded_request")) {
              continue;
            }
            InspectedRequest req = toRequest(in);
            boolean hit = !detector.inspect(req).isEmpty();
            String id = f.getFileName() + "#" + test.path("test_id").asText();
            if (attack) {
              attacks++;
              if (hit) {
                detected++;
              } else {
                missedAttacks.add(id + " " + describe(in));
              }
            } else {
              benign++;
              if (!hit) {
                passed++;
              } else {
                flaggedBenign.add(id + " " + describe(in) + " => " + detector.inspect(req));
              }
            }
          }
        }
      }
      out.put(dir.getFileName().toString(), new Row[] {
          new Row("attack", attacks, detected, missedAttacks),
          new Row("benign", benign, passed, flaggedBenign)});
    }
    return out;
  }

  /** The split key of a CRS test: {@code FILE#TEST_ID}. */
  static String crsKey(Path file, JsonNode test) {
    return file.getFileName() + "#" + test.path("test_id").asText();
  }

  private static String describe(JsonNode in) {
    String d = in.path("uri").asText("") + " " + in.path("data").asText("");
    return d.length() > 200 ? d.substring(0, 200) : d;
  }

  static InspectedRequest toRequest(JsonNode in) {
    String uri = in.path("uri").asText("/");
    String path = uri;
    String query = null;
    int q = uri.indexOf('?');
    if (q >= 0) {
      path = uri.substring(0, q);
      query = uri.substring(q + 1);
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String contentType = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = in.path("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      headers.add(new AbstractMap.SimpleEntry<>(h.getKey(), h.getValue().asText()));
      if (h.getKey().equalsIgnoreCase("content-type")) {
        contentType = h.getValue().asText();
      }
    }
    JsonNode data = in.path("data");
    String body = null;
    if (data.isTextual()) {
      body = data.asText();
    } else if (data.isArray()) {
      StringBuilder b = new StringBuilder();
      for (JsonNode line : data) {
        b.append(line.asText()).append("\r\n");
      }
      body = b.toString();
    }
    return new InspectedRequest(in.path("method").asText("GET"), path, query, headers, contentType, body);
  }
}
