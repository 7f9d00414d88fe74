package io.gatehouse.gateway.accesslog;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.gatehouse.gateway.events.WafOutcome;
import io.gatehouse.gateway.events.WebSocketSession;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * A traffic-event consumer that writes one JSON object per event as one line, with every query
 * parameter value replaced by {@code ***} and no request headers besides {@code User-Agent}.
 *
 * <p>Lines go to a caller's sink ({@link #to}) or to the Logback logger {@value #LOGGER} with
 * standard-output and rolling-file appenders ({@link #toLogback}). Runs on the event thread.
 */
public final class AccessLog implements TrafficEventConsumer, AutoCloseable {
  /** Name of the dedicated Logback logger; it does not pass lines on to the root logger. */
  public static final String LOGGER = "gatehouse.access";
  /** What redacted values are replaced with. */
  public static final String REDACTED = "***";

  private static final JsonFactory JSON = new JsonFactory();
  private final Consumer<String> sink;
  private final Runnable onClose;
  private final StringWriter buffer = new StringWriter(512);

  private AccessLog(Consumer<String> sink, Runnable onClose) {
    this.sink = sink;
    this.onClose = onClose;
  }

  /** An access log handing each line (without line terminator) to {@code lines}. */
  public static AccessLog to(Consumer<String> lines) {
    return new AccessLog(requireNonNull(lines, "lines"), () -> {});
  }

  /**
   * An access log writing through the Logback logger {@value #LOGGER}, whose appenders it
   * replaces with the ones {@code options} asks for. Requires Logback as the SLF4J binding.
   *
   * @throws IllegalStateException when SLF4J is not bound to Logback
   */
  public static AccessLog toLogback(AccessLogOptions options) {
    requireNonNull(options, "options");
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
      throw new IllegalStateException("the access log needs Logback as the SLF4J binding but found "
          + LoggerFactory.getILoggerFactory().getClass().getName());
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger logger = context.getLogger(LOGGER);
    logger.detachAndStopAllAppenders();
    logger.setAdditive(false);
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    if (options.stdout()) {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setContext(context);
      console.setName("access-stdout");
      console.setEncoder(encoder(context));
      console.start();
      logger.addAppender(console);
    }
    if (options.file() != null) {
      String path = options.file().toAbsolutePath().toString();
      RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
      file.setContext(context);
      file.setName("access-file");
      file.setFile(path);
      SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
      policy.setContext(context);
      policy.setParent(file);
      policy.setFileNamePattern(path + ".%d{yyyy-MM-dd}.%i.gz");
      policy.setMaxFileSize(new FileSize(options.maxFileSize()));
      policy.setMaxHistory(options.maxHistoryDays());
      if (options.totalSizeCap() > 0) {
        policy.setTotalSizeCap(new FileSize(options.totalSizeCap()));
      }
      policy.start();
      file.setRollingPolicy(policy);
      file.setEncoder(encoder(context));
      file.start();
      logger.addAppender(file);
    }
    return new AccessLog(logger::info, logger::detachAndStopAllAppenders);
  }

  private static PatternLayoutEncoder encoder(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    return encoder;
  }

  @Override
  public void accept(TrafficEvent event) {
    sink.accept(line(event));
  }

  /** The JSON line for {@code event}, without line terminator. Not thread-safe. */
  String line(TrafficEvent e) {
    buffer.getBuffer().setLength(0);
    try (JsonGenerator g = JSON.createGenerator(buffer)) {
      g.writeStartObject();
      g.writeStringField("time", e.time().toString());
      g.writeStringField("requestId", e.requestId());
      optional(g, "traceId", e.traceId());
      g.writeStringField("clientIp", e.clientIp());
      g.writeStringField("method", e.method());
      g.writeStringField("host", e.host());
      g.writeStringField("path", e.path());
      optional(g, "query", redactQuery(e.query()));
      g.writeStringField("api", e.api());
      g.writeStringField("operation", e.operation());
      optional(g, "product", e.product());
      optional(g, "subscription", e.subscription());
      optional(g, "user", e.user());
      g.writeNumberField("status", e.status());
      if (e.backendStatus() != null) {
        g.writeNumberField("backendStatus", e.backendStatus());
      }
      g.writeNumberField("totalMicros", e.totalNanos() / 1000);
      g.writeNumberField("backendMicros", e.backendNanos() / 1000);
      g.writeNumberField("bytesIn", e.bytesIn());
      g.writeNumberField("bytesOut", e.bytesOut());
      optional(g, "cache", e.cacheStatus());
      optional(g, "rejectedBy", e.rejectedBy());
      optional(g, "error", e.error());
      optional(g, "userAgent", e.userAgent());
      g.writeStringField("protocol", e.protocol());
      WafOutcome waf = e.waf();
      if (waf != null) {
        g.writeObjectFieldStart("waf");
        g.writeArrayFieldStart("rules");
        for (long id : waf.rules()) {
          g.writeNumber(id);
        }
        g.writeEndArray();
        g.writeNumberField("score", waf.score());
        g.writeStringField("action", waf.action());
        g.writeEndObject();
      }
      WebSocketSession ws = e.webSocket();
      if (ws != null) {
        g.writeObjectFieldStart("websocket");
        g.writeStringField("closedAt", ws.closedAt().toString());
        g.writeNumberField("messagesIn", ws.messagesIn());
        g.writeNumberField("messagesOut", ws.messagesOut());
        if (ws.closeCode() != null) {
          g.writeNumberField("closeCode", ws.closeCode());
        }
        optional(g, "closeReason", ws.closeReason());
        g.writeStringField("closedBy", ws.closedBy());
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return buffer.toString();
  }

  private static void optional(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  /**
   * {@code query} with each parameter's value replaced by {@value #REDACTED} (names kept, a
   * parameter without {@code =} kept as is); {@code null} for {@code null}.
   */
  static String redactQuery(String query) {
    if (query == null || query.isEmpty()) {
      return query;
    }
    StringBuilder out = new StringBuilder(query.length() + 16);
    int start = 0;
    while (start <= query.length()) {
      int end = query.indexOf('&', start);
      if (end < 0) {
        end = query.length();
      }
      int eq = query.indexOf('=', start);
      if (out.length() > 0 || start > 0) {
        out.append('&');
      }
      if (eq >= 0 && eq < end) {
        out.append(query, start, eq).append('=').append(REDACTED);
      } else {
        out.append(query, start, end);
      }
      start = end + 1;
    }
    return out.toString();
  }

  /** Detaches the Logback appenders this log installed, if any. */
  @Override
  public void close() {
    onClose.run();
  }
}
