package io.gatehouse.server.internal;

import io.gatehouse.control.ControlPlane;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.GatewayConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a declarative file the source of truth: loads it, applies it, and re-applies the file
 * whenever its content changes ({@link #lock} locks the management API's configuration routes).
 */
final class FileSource {
  private static final Logger LOG = LoggerFactory.getLogger(FileSource.class);
  private static final long POLL_MILLIS = 1000;

  private FileSource() {}

  /** Reads {@code file} as {@code apply} does ({@link ConfigFiles#withEnvironment}). */
  static GatewayConfig load(Path file) throws ConfigFiles.Refused {
    return ConfigFiles.withEnvironment(file).config();
  }

  /** What the watcher last saw: the problems of the newest refused version, if any. */
  static final class Watch {
    private final AtomicReference<String> refused = new AtomicReference<>();

    /** The problems of the newest file content that was refused; {@code null} when it was applied. */
    String refused() {
      return refused.get();
    }
  }

  /** Refuses configuration changes through the management API: {@code file} owns the configuration. */
  static void lock(ControlPlane plane, Path file) {
    plane.setReadOnly("configuration is managed by file " + file.getFileName());
  }

  static Watch watch(Vertx vertx, Path file, ControlPlane plane, GatewayConfig initial) {
    Watch watch = new Watch();
    plane.apply(initial, "file", "loaded " + file.getFileName());
    AtomicReference<byte[]> last = new AtomicReference<>(read(file));
    vertx.setPeriodic(POLL_MILLIS, id -> vertx.executeBlocking(() -> {
      byte[] now = read(file);
      if (now == null || Arrays.equals(now, last.get())) {
        return null;
      }
      last.set(now);
      try {
        GatewayConfig next = load(file);
        plane.apply(next, "file", "reloaded " + file.getFileName());
        watch.refused.set(null);
        LOG.info("reloaded {}", file);
      } catch (ConfigFiles.Refused e) {
        watch.refused.set(e.getMessage());
        LOG.error("{} changed but is not valid; the configuration in force keeps serving:\n{}", file, e.getMessage());
      } catch (ConfigException e) {
        watch.refused.set(e.getMessage());
        LOG.error("{} changed but cannot be served; the configuration in force keeps serving:\n{}", file, e.getMessage());
      }
      return null;
    }, false));
    return watch;
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}", file, e.toString());
      return null;
    }
  }
}
