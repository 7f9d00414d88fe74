package io.gatehouse.console;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Serves the admin console's fixed set of files (its pages, scripts, style sheet and the Chart.js
 * WebJar) from the class path under {@link #PREFIX}, each with a Content-Security-Policy that allows
 * scripts, styles and connections from the same origin only; any other path answers 404.
 *
 * <p>The handler holds every file in memory (read once when it is created) and never touches the
 * file system, so no request path can reach another resource.
 */
public final class Console {
  /** Where the console is mounted on the management listener. */
  public static final String PREFIX = "/console/";

  /** The Content-Security-Policy of every console response. */
  public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private static final String WEB = "io/gatehouse/console/web/";
  private static final List<String> FILES = List.of("index.html", "console.css", "js/app.js", "js/api.js",
      "js/dom.js", "js/yaml.js", "js/pages.js", "js/editor.js", "js/charts.js");
  private static final String CHART_POM = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";

  private record Asset(Buffer body, String contentType) {}

  private Console() {}

  /** A handler for {@code GET}/{@code HEAD} requests under {@link #PREFIX}; it does not block. */
  public static Handler<RoutingContext> handler() {
    Map<String, Asset> assets = new LinkedHashMap<>();
    for (String f : FILES) {
      assets.put(f, new Asset(Buffer.buffer(read(WEB + f)), type(f)));
    }
    String chart = "META-INF/resources/webjars/chart.js/" + webJarVersion() + "/dist/chart.umd.min.js";
    assets.put("vendor/chart.umd.min.js", new Asset(Buffer.buffer(read(chart)), type(chart)));
    Map<String, Asset> all = Map.copyOf(assets);
    return ctx -> {
      String path = ctx.normalizedPath();
      String name = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
      if (name.isEmpty()) {
        name = "index.html";
      }
      Asset a = all.get(name);
      ctx.response()
          .putHeader("Content-Security-Policy", CSP)
          .putHeader("X-Frame-Options", "DENY")
          .putHeader("Referrer-Policy", "no-referrer")
          .putHeader("Cross-Origin-Opener-Policy", "same-origin")
          .putHeader("X-Content-Type-Options", "nosniff");
      if (a == null) {
        ctx.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
            .end("no console page " + name + "\n");
        return;
      }
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, a.contentType());
      if (ctx.request().method().equals(HttpMethod.HEAD)) {
        ctx.response().putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(a.body().length())).end();
      } else {
        ctx.response().end(a.body());
      }
    };
  }

  /** The Chart.js version bundled with the console (from its WebJar). */
  public static String webJarVersion() {
    Properties p = new Properties();
    try (InputStream in = Console.class.getClassLoader().getResourceAsStream(CHART_POM)) {
      if (in == null) {
        throw new IllegalStateException("the Chart.js WebJar is not on the class path (" + CHART_POM + ")");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  private static byte[] read(String resource) {
    try (InputStream in = Console.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("console resource " + resource + " is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String type(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    } else if (name.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    return "text/javascript; charset=utf-8";
  }
}
