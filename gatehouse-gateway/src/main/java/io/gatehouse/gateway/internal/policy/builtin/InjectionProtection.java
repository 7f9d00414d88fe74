package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.gateway.security.InjectionDetection;
import io.gatehouse.gateway.security.InjectionDetections;
import io.gatehouse.insight.injection.InjectionCategory;
import io.gatehouse.insight.injection.InjectionDetector;
import io.gatehouse.insight.injection.InjectionFinding;
import io.gatehouse.insight.injection.InspectedRequest;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.Body;
import io.gatehouse.policy.BodyTooLargeException;
import io.gatehouse.policy.Headers;
import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code injection-protection}: inspects the path, query, headers and (JSON, form, XML or text)
 * body up to {@code max-body-size} with the insight {@link InjectionDetector}; {@code action: block}
 * answers 403, {@code action: detect} lets the request through; both publish an
 * {@link InjectionDetection}.
 */
final class InjectionProtection extends Base {
  private static final Logger LOG = LoggerFactory.getLogger(InjectionProtection.class);

  InjectionProtection() {
    super(PolicyNames.INJECTION_PROTECTION);
  }

  @Override
  public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
    requestSectionsOnly(name(), section);
    boolean block = c.oneOf("action", "block", "block", "detect").equals("block");
    int maxBody = (int) c.number("max-body-size", 64 * 1024, 0, 16L * 1024 * 1024);
    int threshold = (int) c.number("threshold", 50, 1, 100);
    List<String> cats = c.strings("categories");
    Set<InjectionCategory> categories = EnumSet.allOf(InjectionCategory.class);
    if (!cats.isEmpty()) {
      categories = EnumSet.noneOf(InjectionCategory.class);
      for (String cat : cats) {
        try {
          categories.add(InjectionCategory.valueOf(cat.toUpperCase(Locale.ROOT).replace('-', '_')));
        } catch (IllegalArgumentException e) {
          throw new PolicyConfigException("categories", "unknown category '" + cat + "'; expected one of "
              + EnumSet.allOf(InjectionCategory.class).toString().toLowerCase(Locale.ROOT));
        }
      }
    }
    InjectionDetector detector = InjectionDetector.builder().threshold(threshold).categories(categories).build();
    return (Policy) (ctx, next) -> {
      Body body = ctx.request().body();
      String type = ctx.request().headers().get("Content-Type");
      boolean textual = maxBody > 0 && textual(type) && body.length() != 0;
      if (!textual || (body.length() > maxBody)) {
        // too large to buffer within the limit (or not text): inspect everything but the body
        Response r = verdict(ctx, detector.inspect(request(ctx, type, null)), block);
        return r != null ? ctx.completed(r) : next.proceed(ctx);
      }
      return body.aggregate(maxBody).handle((bytes, error) -> {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof BodyTooLargeException) {
          return ctx.problem(413, "Content Too Large",
              "the request body exceeds the " + maxBody + " bytes that injection protection inspects");
        }
        if (cause != null) {
          throw new CompletionException(cause);
        }
        ctx.request().body(Body.of(bytes));
        String text = new String(bytes, StandardCharsets.UTF_8);
        return verdict(ctx, detector.inspect(request(ctx, type, text)), block);
      }).thenCompose(r -> r != null ? ctx.completed(r) : next.proceed(ctx));
    };
  }

  private static InspectedRequest request(PolicyContext ctx, String type, String body) {
    Headers h = ctx.request().headers();
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (String name : h.names()) {
      for (String v : h.getAll(name)) {
        headers.add(Map.entry(name, v));
      }
    }
    return new InspectedRequest(ctx.request().method(), ctx.request().path(), ctx.request().query(), headers, type, body);
  }

  private static Response verdict(PolicyContext ctx, List<InjectionFinding> findings, boolean block) {
    if (findings.isEmpty()) {
      return null;
    }
    String subscription = ctx instanceof io.gatehouse.gateway.internal.policy.GatewayContext g ? g.subscriptionName() : "";
    InjectionDetection d = new InjectionDetection(Instant.now(), ctx.requestId(), ctx.apiName(), ctx.operation(),
        ctx.clientIp(), subscription == null || subscription.isEmpty() ? null : subscription, ctx.request().method(),
        ctx.request().path(), block, findings);
    InjectionFinding first = findings.get(0);
    LOG.warn("injection-protection {} request {} api={} client={}: {} in {} (rule {}, score {})",
        block ? "blocked" : "detected", ctx.requestId(), ctx.apiName(), ctx.clientIp(), first.category(),
        first.location(), first.rule(), first.score());
    InjectionDetections.publish(d);
    return block ? ctx.problem(403, "Forbidden", "the request was refused by injection protection") : null;
  }

  private static boolean textual(String contentType) {
    if (contentType == null) {
      return false;
    }
    String t = contentType.toLowerCase(Locale.ROOT);
    return t.contains("json") || t.contains("x-www-form-urlencoded") || t.contains("xml") || t.startsWith("text/");
  }
}
