package io.gatehouse.gateway.accesslog;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One access-log line handed to Logback's appenders as its encoded bytes: {@link Encoder} writes
 * them as they are, so no message is formatted and no String is built or re-encoded.
 */
final class AccessLineEvent implements ILoggingEvent {
  private final byte[] line;
  private final long millis = System.currentTimeMillis();

  /** {@code line}: UTF-8, ending with a line feed. */
  AccessLineEvent(byte[] line) {
    this.line = line;
  }

  /** Writes an {@link AccessLineEvent}'s bytes as they are, any other event as its message and a line feed. */
  static final class Encoder extends EncoderBase<ILoggingEvent> {
    @Override
    public byte[] headerBytes() {
      return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
      if (event instanceof AccessLineEvent a) {
        return a.line;
      }
      return (event.getFormattedMessage() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
      return null;
    }
  }

  @Override
  public String getThreadName() {
    return Thread.currentThread().getName();
  }

  @Override
  public Level getLevel() {
    return Level.INFO;
  }

  @Override
  public String getMessage() {
    return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
  }

  @Override
  public Object[] getArgumentArray() {
    return null;
  }

  @Override
  public String getFormattedMessage() {
    return getMessage();
  }

  @Override
  public String getLoggerName() {
    return AccessLog.LOGGER;
  }

  @Override
  public LoggerContextVO getLoggerContextVO() {
    return null;
  }

  @Override
  public IThrowableProxy getThrowableProxy() {
    return null;
  }

  @Override
  public StackTraceElement[] getCallerData() {
    return new StackTraceElement[0];
  }

  @Override
  public boolean hasCallerData() {
    return false;
  }

  @Override
  public List<org.slf4j.Marker> getMarkerList() {
    return null;
  }

  @Override
  public Map<String, String> getMDCPropertyMap() {
    return Map.of();
  }

  @Override
  public Map<String, String> getMdc() {
    return Map.of();
  }

  @Override
  public long getTimeStamp() {
    return millis;
  }

  @Override
  public int getNanoseconds() {
    return (int) (millis % 1000) * 1_000_000;
  }

  @Override
  public long getSequenceNumber() {
    return 0;
  }

  @Override
  public List<org.slf4j.event.KeyValuePair> getKeyValuePairs() {
    return null;
  }

  @Override
  public void prepareForDeferredProcessing() {
    // nothing is deferred: the line is already encoded
  }
}
