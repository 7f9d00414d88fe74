package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.waf.InjectionDetector;
import io.gatehouse.waf.WafEngine;
import io.gatehouse.waf.WafLoadException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Compiles {@code waf} rule sets and keeps the last few, so every policy (and every configuration
 * snapshot) with the same files, settings and custom rules shares one engine while the files are
 * unchanged (a file's size and modification time are part of the key).
 */
final class WafEngines {
  private static final int KEEP = 8;
  private static final int MAX_FILES = 1000;
  private static final Map<String, WafEngine> CACHE = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, WafEngine> eldest) {
      return size() > KEEP;
    }
  };

  /**
   * {@code @detectSQLi} and {@code @detectXSS} answered by the gateway's injection detector on the value as
   * the rule's transformations left it (never decoded again), as libinjection answers them.
   */
  static final InjectionDetector DETECTOR = new InjectionDetector() {
    private final io.gatehouse.insight.injection.InjectionDetector d =
        io.gatehouse.insight.injection.InjectionDetector.defaults();

    @Override
    public boolean isSqlInjection(CharSequence value) {
      return d.isSqlInjectionAsIs(value);
    }

    @Override
    public boolean isCrossSiteScripting(CharSequence value) {
      return d.isCrossSiteScriptingAsIs(value);
    }
  };

  private WafEngines() {}

  static WafEngine get(List<String> globs, String settings, String custom, String exclusions, WafEngine.Mode mode,
      java.time.Duration budget) {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < globs.size(); i++) {
      List<Path> found = resolve("rules[" + i + "]", globs.get(i));
      files.addAll(found);
    }
    StringBuilder key = new StringBuilder(mode + " " + budget + "\n" + settings + "\n" + custom + "\n" + exclusions + "\n");
    for (Path f : files) {
      try {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        key.append(f.toAbsolutePath()).append(' ').append(a.size()).append(' ').append(a.lastModifiedTime()).append('\n');
      } catch (IOException e) {
        throw new PolicyConfigException("rules", "cannot read " + f + ": " + e.getMessage());
      }
    }
    synchronized (CACHE) {
      WafEngine engine = CACHE.get(key.toString());
      if (engine == null) {
        engine = build(files, settings, custom, exclusions, mode, budget);
        CACHE.put(key.toString(), engine);
      }
      return engine;
    }
  }

  private static WafEngine build(List<Path> files, String settings, String custom, String exclusions, WafEngine.Mode mode,
      java.time.Duration budget) {
    WafEngine.Builder b = WafEngine.builder().mode(mode).budget(budget).detector(DETECTOR).rules("waf settings", settings);
    for (Path f : files) {
      b.rules(f);
    }
    if (!custom.isEmpty()) {
      b.rules("custom-rules", custom);
    }
    if (!exclusions.isEmpty()) {
      b.rules("exclusions", exclusions);
    }
    try {
      return b.build();
    } catch (WafLoadException e) {
      throw new PolicyConfigException("rules", e.getMessage());
    }
  }

  /** The regular files a glob names, sorted; a glob that names none is a configuration error. */
  static List<Path> resolve(String field, String glob) {
    String g = glob.replace('\\', '/');
    int wild = indexOfWildcard(g);
    if (wild < 0) {
      Path p = Path.of(glob);
      if (!Files.isRegularFile(p)) {
        throw new PolicyConfigException(field, "rule file " + glob + " does not exist or is not a file");
      }
      return List.of(p);
    }
    int slash = g.lastIndexOf('/', wild);
    Path dir = Path.of(slash < 0 ? "." : slash == 0 ? "/" : g.substring(0, slash));
    String pattern = slash < 0 ? g : g.substring(slash + 1);
    if (!Files.isDirectory(dir)) {
      throw new PolicyConfigException(field, "folder " + dir + " of the rule glob " + glob + " does not exist");
    }
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    List<Path> out;
    try (Stream<Path> s = Files.walk(dir, pattern.contains("**") ? 8 : pattern.split("/").length)) {
      out = s.filter(Files::isRegularFile).filter(p -> m.matches(dir.relativize(p))).sorted()
          .limit(MAX_FILES + 1).toList();
    } catch (IOException e) {
      throw new PolicyConfigException(field, "cannot list " + dir + ": " + e.getMessage());
    }
    if (out.isEmpty()) {
      throw new PolicyConfigException(field, "the rule glob " + glob + " matches no file");
    }
    if (out.size() > MAX_FILES) {
      throw new PolicyConfigException(field, "the rule glob " + glob + " matches more than " + MAX_FILES + " files");
    }
    return out;
  }

  private static int indexOfWildcard(String g) {
    for (int i = 0; i < g.length(); i++) {
      char c = g.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == '{') {
        return i;
      }
    }
    return -1;
  }
}
