package io.gatehouse.gateway.accesslog;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import io.gatehouse.gateway.events.TrafficEvent;
import io.gatehouse.gateway.events.TrafficEventConsumer;
import io.gatehouse.gateway.events.WafOutcome;
import io.gatehouse.gateway.events.WebSocketSession;
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

  private final LineSink sink;
  private final Runnable onClose;
  private final JsonLine line = new JsonLine();

  /** Where encoded lines go. */
  private interface LineSink {
    void write(JsonLine line);
  }

  private AccessLog(LineSink sink, Runnable onClose) {
    this.sink = sink;
    this.onClose = onClose;
  }

  /** An access log handing each line (without line terminator) to {@code lines}. */
  public static AccessLog to(Consumer<String> lines) {
    requireNonNull(lines, "lines");
    return new AccessLog(l -> lines.accept(l.text()), () -> {});
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
    // the line's bytes go to the appenders as they are: no message formatting, no String, no re-encoding
    return new AccessLog(l -> logger.callAppenders(new AccessLineEvent(l.bytes())), logger::detachAndStopAllAppenders);
  }

  private static AccessLineEvent.Encoder encoder(LoggerContext context) {
    AccessLineEvent.Encoder encoder = new AccessLineEvent.Encoder();
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }

  @Override
  public void accept(TrafficEvent event) {
    sink.write(encode(event));
  }

  /** The JSON line for {@code event}, without line terminator. Not thread-safe. */
  String line(TrafficEvent e) {
    return encode(e).text();
  }

  private JsonLine encode(TrafficEvent e) {
    JsonLine g = line.begin();
    g.field("time", e.time());
    g.field("requestId", e.requestId());
    g.field("traceId", e.traceId());
    g.field("clientIp", e.clientIp());
    g.field("method", e.method());
    g.field("host", e.host());
    g.field("path", e.path());
    g.field("query", redactQuery(e.query()));
    g.field("api", e.api());
    g.field("operation", e.operation());
    g.field("product", e.product());
    g.field("subscription", e.subscription());
    g.field("user", e.user());
    g.field("status", e.status());
    if (e.backendStatus() != null) {
      g.field("backendStatus", e.backendStatus());
    }
    g.field("totalMicros", e.totalNanos() / 1000);
    g.field("backendMicros", e.backendNanos() / 1000);
    g.field("bytesIn", e.bytesIn());
    g.field("bytesOut", e.bytesOut());
    g.field("cache", e.cacheStatus());
    g.field("rejectedBy", e.rejectedBy());
    g.field("error", e.error());
    g.field("userAgent", e.userAgent());
    g.field("protocol", e.protocol());
    WafOutcome waf = e.waf();
    if (waf != null) {
      g.startObject("waf");
      g.startArray("rules");
      for (long id : waf.rules()) {
        g.element(id);
      }
      g.endArray();
      g.field("score", waf.score());
      g.field("action", waf.action());
      g.endObject();
    }
    WebSocketSession ws = e.webSocket();
    if (ws != null) {
      g.startObject("websocket");
      g.field("closedAt", ws.closedAt());
      g.field("messagesIn", ws.messagesIn());
      g.field("messagesOut", ws.messagesOut());
      if (ws.closeCode() != null) {
        g.field("closeCode", ws.closeCode());
      }
      g.field("closeReason", ws.closeReason());
      g.field("closedBy", ws.closedBy());
      g.endObject();
    }
    return g.end();
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
