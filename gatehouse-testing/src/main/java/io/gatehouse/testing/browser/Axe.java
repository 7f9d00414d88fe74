package io.gatehouse.testing.browser;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * Runs axe-core (from its WebJar on the class path) in the page a driver shows and returns the
 * violations of impact {@code serious} or {@code critical}; the script is injected through the
 * driver, so it runs whatever the page's Content-Security-Policy allows.
 */
public final class Axe {
  private static final String POM = "META-INF/maven/org.webjars.npm/axe-core/pom.properties";
  private static volatile String source;

  private Axe() {}

  /** The violations of impact serious or critical in the current page, in axe's order; empty when there are none. */
  public static List<AxeViolation> seriousViolations(WebDriver driver) {
    List<AxeViolation> serious = new ArrayList<>();
    for (AxeViolation v : violations(driver)) {
      if (v.impact().equals("serious") || v.impact().equals("critical")) {
        serious.add(v);
      }
    }
    return serious;
  }

  /** Every violation axe-core reports in the current page (WCAG 2.x A and AA rules and best practices). */
  @SuppressWarnings("unchecked")
  public static List<AxeViolation> violations(WebDriver driver) {
    requireNonNull(driver, "driver");
    JavascriptExecutor js = (JavascriptExecutor) driver;
    if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object';"))) {
      js.executeScript(source());
    }
    Object result = js.executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "axe.run(document, {resultTypes: ['violations']})"
            + ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            + " targets: v.nodes.map(n => n.target.join(' '))}))))"
            + ".catch(e => done({error: String(e)}));");
    if (result instanceof Map<?, ?> m && m.containsKey("error")) {
      throw new IllegalStateException("axe-core failed in the page: " + m.get("error"));
    }
    List<AxeViolation> out = new ArrayList<>();
    for (Object o : (List<Object>) result) {
      Map<String, Object> v = (Map<String, Object>) o;
      out.add(new AxeViolation((String) v.get("id"), (String) v.get("impact"), (String) v.get("help"),
          (List<String>) v.get("targets")));
    }
    return out;
  }

  /** The axe-core version on the class path. */
  public static String version() {
    try (InputStream in = Axe.class.getClassLoader().getResourceAsStream(POM)) {
      if (in == null) {
        throw new IllegalStateException("axe-core WebJar not on the class path (" + POM + ")");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String source() {
    String s = source;
    if (s == null) {
      String path = "META-INF/resources/webjars/axe-core/" + version() + "/axe.min.js";
      try (InputStream in = Axe.class.getClassLoader().getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("no " + path + " on the class path");
        }
        s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      source = s;
    }
    return s;
  }
}
