package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.SourceLines;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a declarative file the source of truth: loads it, applies it, and re-applies it whenever
 * its content or the content of a file it references (an OpenAPI {@code file}) changes
 * ({@link #lock} locks the management API's configuration routes).
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
    plane.setReadOnly("configuration is managed by file " + file.getFileName()
        + "; edit the file (the server reloads it) or serve without --config");
  }

  /**
   * Applies {@code config}, read from {@code file} whose text was {@code content}; the problems the
   * control plane finds beyond the model's own (a policy's configuration, for example) are located
   * at their line in the file.
   */
  static void apply(ControlPlane plane, GatewayConfig config, Path file, byte[] content, String message) {
    try {
      plane.apply(config, "file", message);
    } catch (ConfigException e) {
      if (content == null) {
        throw e;
      }
      SourceLines lines = SourceLines.of(new String(content, java.nio.charset.StandardCharsets.UTF_8));
      throw new ConfigException(e.problems().stream()
          .map(p -> p.source() != null ? p : lines.locate(java.util.List.of(p), file.toString()).get(0)).toList());
    }
  }

  static Watch watch(Vertx vertx, Path file, ControlPlane plane, GatewayConfig initial) {
    Watch watch = new Watch();
    apply(plane, initial, file, read(file), "loaded " + file.getFileName());
    Poller poller = new Poller(file, plane, watch);
    vertx.setPeriodic(POLL_MILLIS, id -> vertx.executeBlocking(() -> {
      poller.poll();
      return null;
    }, false));
    return watch;
  }

  /**
   * One poll of the main file and the files it references; runs on one worker at a time
   * (ordered blocking calls).
   */
  static final class Poller {
    private final Path file;
    private final ControlPlane plane;
    private final Watch watch;
    private byte[] main;
    private boolean mainMissing;
    // the referenced files and their content when last loaded (null: missing or unreadable)
    private Map<Path, byte[]> referenced;

    Poller(Path file, ControlPlane plane, Watch watch) {
      this.file = file;
      this.plane = plane;
      this.watch = watch;
      this.main = read(file);
      this.referenced = snapshot(references(main));
    }

    /** Reloads when the file or a file it references changed; reports a missing file once. */
    void poll() {
      byte[] now = read(file);
      if (now == null) {
        if (!mainMissing) {
          mainMissing = true;
          LOG.warn("configuration file {} {}; still serving revision {}", file,
              Files.exists(file) ? "cannot be read" : "was deleted", plane.revision().id());
        }
        return;
      }
      if (mainMissing) {
        mainMissing = false;
        LOG.info("configuration file {} is back", file);
      }
      boolean changed = !Arrays.equals(now, main);
      if (!changed) {
        for (Map.Entry<Path, byte[]> e : referenced.entrySet()) {
          if (!Arrays.equals(read(e.getKey()), e.getValue())) {
            changed = true;
            break;
          }
        }
      }
      if (!changed) {
        return;
      }
      main = now;
      referenced = snapshot(references(now));
      try {
        GatewayConfig next = load(file);
        apply(plane, next, file, now, "reloaded " + file.getFileName());
        watch.refused.set(null);
        LOG.info("reloaded {}", file);
      } catch (ConfigFiles.Refused e) {
        watch.refused.set(e.getMessage());
        LOG.error("{} changed but is not valid; the configuration in force keeps serving:\n{}", file, e.getMessage());
      } catch (ConfigException e) {
        watch.refused.set(e.getMessage());
        LOG.error("{} changed but cannot be served; the configuration in force keeps serving:\n{}", file, e.getMessage());
      }
    }

    private static Map<Path, byte[]> snapshot(Set<Path> files) {
      Map<Path, byte[]> out = new LinkedHashMap<>();
      for (Path p : files) {
        out.put(p, read(p));
      }
      return out;
    }

    /** The OpenAPI files that configuration text {@code content} references, resolved as loading does. */
    private Set<Path> references(byte[] content) {
      Set<Path> out = new LinkedHashSet<>();
      if (content == null) {
        return out;
      }
      JsonNode root;
      try {
        root = ConfigMapper.yaml().readTree(content);
      } catch (IOException | RuntimeException e) {
        return out; // the load reports the problem; nothing to watch beside the file
      }
      Path base = file.toAbsolutePath().getParent();
      if (root == null) {
        return out;
      }
      for (JsonNode api : root.path("apis")) {
        JsonNode ref = api.path("openapi").path("file");
        if (ref.isTextual() && !ref.asText().isBlank()) {
          try {
            out.add(base == null ? Path.of(ref.asText()) : base.resolve(ref.asText()));
          } catch (java.nio.file.InvalidPathException e) {
            // the load reports it
          }
        }
      }
      return out;
    }
  }

  /** The bytes of {@code file}, or {@code null} when it is missing or unreadable (the caller reports it once). */
  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      LOG.debug("cannot read {}: {}", file, Objects.toString(e.getMessage(), ""));
      return null;
    }
  }
}
