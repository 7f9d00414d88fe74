package io.gatehouse.insight.injection;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gatehouse.insight.TestData;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Development aid: writes every finding for every corpus input (libinjection lines as query, raw,
 * JSON, header, cookie, form and XML values; every CRS stage) to a file, one line per input, so
 * that a change meant to be behaviour-neutral (a performance change) can be checked with {@code
 * cmp} against the output of the previous build. It covers both halves ({@link CorpusHalf}): use it
 * only to compare two builds, not to tune on the held-out half. Args: output file.
 */
public final class CorpusFingerprint {
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(Files.newOutputStream(Paths.get(args[0])), false, "UTF-8");
    InjectionDetector d = InjectionDetector.defaults();
    List<Path> files;
    try (Stream<Path> s = Files.list(TestData.suite("libinjection-data"))) {
      files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    for (Path f : files) {
      int i = 0;
      for (String line : CorpusRunner.payloads(f)) {
        String id = f.getFileName() + ":" + (i++);
        String v = InjectionDetector.formDecode(line);
        out.println(id + " Q " + d.inspectValue("query:q", v));
        out.println(id + " R " + d.inspectValue("x", line));
        String esc = new String(JsonStringEncoder.getInstance().quoteAsString(v));
        String body = "{\"a\":\"" + esc + "\",\"" + esc + "\":[1,\"" + esc + "\"]}";
        out.println(id + " J " + d.inspect(new InspectedRequest("POST", "/p", null, List.of(), "application/json", body)));
        out.println(id + " H " + d.inspect(new InspectedRequest("GET", "/" + line, "a=" + line, List.of(Map.entry("X-A", v), Map.entry("Cookie", "a=" + v + "; b=c")), null, null)));
        out.println(id + " F " + d.inspect(new InspectedRequest("POST", "/p", null, List.of(), "application/x-www-form-urlencoded", "a=" + line + "&b=1")));
        out.println(id + " X " + d.inspect(new InspectedRequest("POST", "/p", null, List.of(), "application/xml", "<a b=\"" + v + "\">" + v + "</a>")));
      }
    }
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<Path> dirs;
    try (Stream<Path> s = Files.list(TestData.suite("crs-regression"))) {
      dirs = s.filter(Files::isDirectory).filter(p -> CorpusRunner.CRS_CATEGORIES.contains(p.getFileName().toString()))
          .sorted().toList();
    }
    for (Path dir : dirs) {
      List<Path> yf;
      try (Stream<Path> s = Files.list(dir)) {
        yf = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      }
      for (Path f : yf) {
        JsonNode doc;
        try { doc = yaml.readTree(f.toFile()); } catch (Exception e) { continue; }
        int k = 0;
        for (JsonNode test : doc.path("tests")) {
          for (JsonNode stage : test.path("stages")) {
            JsonNode in = stage.path("input");
            if (in.isMissingNode()) continue;
            InspectedRequest req = CorpusRunner.toRequest(in);
            out.println(f.getFileName() + "#" + (k++) + " " + d.inspect(req));
          }
        }
      }
    }
    out.close();
  }
}
