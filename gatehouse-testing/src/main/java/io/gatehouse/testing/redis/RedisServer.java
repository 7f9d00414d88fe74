package io.gatehouse.testing.redis;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} process for tests: started on a free loopback port with a temporary
 * directory and no persistence, and stoppable, killable (SIGKILL) and restartable on the same port.
 *
 * <p>When the binary is absent the test is skipped (a JUnit assumption), unless the environment
 * variable {@code GATEHOUSE_REQUIRE_SERVERS=1} is set, in which case absence fails the test. The
 * binary is {@code redis-server} on the {@code PATH} (or {@code /usr/bin/redis-server}).
 * Not thread-safe: one test drives it.
 */
public final class RedisServer implements AutoCloseable {
  private final Path binary;
  private final Path dir;
  private final String user;
  private final String password;
  private final Path tlsCert;
  private final Path tlsKey;
  private final int port;
  private Process process;

  private RedisServer(Path binary, Path dir, int port, String user, String password, Path tlsCert, Path tlsKey) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.user = user;
    this.password = password;
    this.tlsCert = tlsCert;
    this.tlsKey = tlsKey;
  }

  /** Starts a server without authentication or TLS; skips the test when Redis is not installed. */
  public static RedisServer start() {
    return builder().start();
  }

  /** A builder of a server with authentication or TLS. */
  public static Builder builder() {
    return new Builder();
  }

  /** Options of a server to start. */
  public static final class Builder {
    private String user;
    private String password;
    private Path tlsCert;
    private Path tlsKey;

    private Builder() {}

    /** Requires clients to authenticate as ACL user {@code user} with {@code password} (the default user is disabled). */
    public Builder user(String user, String password) {
      this.user = requireNonNull(user, "user");
      this.password = requireNonNull(password, "password");
      return this;
    }

    /** Requires clients to authenticate as the default user with {@code password} ({@code requirepass}). */
    public Builder password(String password) {
      this.user = null;
      this.password = requireNonNull(password, "password");
      return this;
    }

    /** Serves TLS only, with this PEM certificate chain and key; clients present no certificate. */
    public Builder tls(Path certPem, Path keyPem) {
      this.tlsCert = requireNonNull(certPem, "certPem");
      this.tlsKey = requireNonNull(keyPem, "keyPem");
      return this;
    }

    /** Starts the server and waits until it accepts connections. */
    public RedisServer start() {
      Path binary = locate();
      try {
        Path dir = Files.createTempDirectory("redis-test");
        RedisServer server = new RedisServer(binary, dir, freePort(), user, password, tlsCert, tlsKey);
        server.launch();
        return server;
      } catch (IOException e) {
        throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
      }
    }
  }

  private static Path locate() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(java.io.File.pathSeparator)) {
        if (!d.isEmpty()) {
          candidates.add(Path.of(d, "redis-server"));
        }
      }
    }
    candidates.add(Path.of("/usr/bin/redis-server"));
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String reason = "redis-server is not installed (Debian package redis-server)";
    if ("1".equals(System.getenv("GATEHOUSE_REQUIRE_SERVERS"))) {
      throw new AssertionError(reason + ", and GATEHOUSE_REQUIRE_SERVERS=1 requires it");
    }
    Assumptions.abort(reason);
    return null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The port the server listens on; it stays the same across {@link #restart()}. */
  public int port() {
    return port;
  }

  /** The URI a client connects with: {@code redis://} or {@code rediss://127.0.0.1:PORT}, without credentials. */
  public String uri() {
    return (tlsCert == null ? "redis://" : "rediss://") + "127.0.0.1:" + port;
  }

  /** Whether the process is running. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  private void launch() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(),
        "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
        "--daemonize", "no", "--loglevel", "warning", "--logfile", dir.resolve("redis.log").toString()));
    if (tlsCert == null) {
      cmd.addAll(List.of("--port", Integer.toString(port)));
    } else {
      cmd.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file", tlsCert.toString(),
          "--tls-key-file", tlsKey.toString(), "--tls-auth-clients", "no"));
    }
    if (password != null && user == null) {
      cmd.addAll(List.of("--requirepass", password));
    } else if (user != null) {
      Path acl = dir.resolve("users.acl");
      Files.writeString(acl, "user default off\nuser " + user + " on >" + password + " ~* &* +@all\n");
      cmd.addAll(List.of("--aclfile", acl.toString()));
    }
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!accepts()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + log());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("redis-server did not listen on port " + port + " within 15 s: " + log());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      if (tlsCert != null) {
        return true; // the TCP accept is enough: TLS is ready with the listener
      }
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      s.setSoTimeout(500);
      InputStream in = s.getInputStream();
      int b = in.read();
      return b == '+' || b == '-'; // +PONG, or -NOAUTH when a password is required
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      String out = Files.readString(dir.resolve("stdout.log")) + Files.readString(dir.resolve("redis.log"));
      return out.length() > 2000 ? out.substring(out.length() - 2000) : out;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** Kills the process with SIGKILL (as a crash would) and waits until it is gone. */
  public void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    waitGone();
  }

  /** Stops the process with SIGTERM and waits until it is gone. */
  public void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    waitGone();
  }

  private void waitGone() {
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Starts the server again on the same port (after {@link #kill()} or {@link #stop()}), empty. */
  public void restart() {
    if (isRunning()) {
      throw new IllegalStateException("redis-server is still running on port " + port);
    }
    try {
      launch();
    } catch (IOException e) {
      throw new IllegalStateException("cannot restart redis-server: " + e.getMessage(), e);
    }
  }

  /** Kills the process and deletes the temporary directory. */
  @Override
  public void close() {
    kill();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }
}
