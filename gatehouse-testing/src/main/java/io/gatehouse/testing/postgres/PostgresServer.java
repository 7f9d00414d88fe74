package io.gatehouse.testing.postgres;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server for tests, started from the installed binaries ({@code initdb},
 * {@code pg_ctl}) on a free loopback port with a temporary data directory that {@link #close()}
 * deletes; when the test runs as root, the server runs as the unprivileged system user
 * {@code postgres} (or {@code nobody}) through {@code runuser}, since PostgreSQL refuses root.
 *
 * <p>When no binaries are found, {@link #start()} skips the calling test with a JUnit assumption,
 * unless the environment variable {@value #REQUIRE_SERVERS} is {@code 1}: then it fails. Binaries
 * are looked for in {@code GATEHOUSE_POSTGRES_BIN}, then in Debian's
 * {@code /usr/lib/postgresql/VERSION/bin} (the newest version first). Not thread-safe.
 */
public final class PostgresServer implements AutoCloseable {
  /** The environment variable that turns a missing server into a failure instead of a skipped test. */
  public static final String REQUIRE_SERVERS = "GATEHOUSE_REQUIRE_SERVERS";
  /** The superuser every server is created with. */
  public static final String USER = "gatehouse";

  private static final Duration START_DEADLINE = Duration.ofSeconds(60);
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer shared;

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final String runAs;
  private final String password;
  private final int port;
  private boolean running;

  private PostgresServer(Path bin, Path dir, String runAs, String password, int port) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.runAs = runAs;
    this.password = password;
    this.port = port;
  }

  /** The directory holding {@code initdb}, {@code pg_ctl} and {@code postgres}, when installed. */
  public static Optional<Path> binaries() {
    String given = System.getenv("GATEHOUSE_POSTGRES_BIN");
    if (given != null && !given.isBlank()) {
      Path p = Path.of(given);
      return Files.isExecutable(p.resolve("pg_ctl")) ? Optional.of(p) : Optional.empty();
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparingInt(PostgresServer::majorVersion));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Starts a new server, or skips the calling test (fails it under {@value #REQUIRE_SERVERS}=1)
   * when PostgreSQL is not installed. Close it when done.
   */
  public static PostgresServer start() {
    Optional<Path> bin = binaries();
    if (bin.isEmpty()) {
      String reason = "PostgreSQL is not installed (no initdb and pg_ctl under /usr/lib/postgresql/*/bin or"
          + " GATEHOUSE_POSTGRES_BIN); install the Debian package postgresql";
      if ("1".equals(System.getenv(REQUIRE_SERVERS))) {
        throw new AssertionError(reason + " (required: " + REQUIRE_SERVERS + "=1)");
      }
      Assumptions.abort(reason);
    }
    try {
      Path dir = Files.createTempDirectory("gatehouse-pg");
      String runAs = isRoot() ? unprivilegedUser() : null;
      byte[] secret = new byte[12];
      new SecureRandom().nextBytes(secret);
      PostgresServer server = new PostgresServer(bin.get(), dir, runAs, HexFormat.of().formatHex(secret), freePort());
      try {
        server.initdb();
        server.startAgain();
      } catch (RuntimeException | Error e) {
        server.close();
        throw e;
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a PostgreSQL data directory: " + e.getMessage(), e);
    }
  }

  /**
   * One server for every test of this JVM that does not stop or kill it, started on first use and
   * stopped when the JVM exits; give each test its own database ({@link #createDatabase()}).
   */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      PostgresServer s = start();
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "gatehouse-postgres-stop"));
      shared = s;
    }
    return shared;
  }

  /** The loopback port the server listens on (kept across restarts). */
  public int port() {
    return port;
  }

  /** The superuser's password. */
  public String password() {
    return password;
  }

  /** A {@code postgresql://USER:PASSWORD@127.0.0.1:PORT/DATABASE} address of {@code database}. */
  public String url(String database) {
    return "postgresql://" + USER + ":" + password + "@127.0.0.1:" + port + "/" + requireNonNull(database, "database");
  }

  /** The JDBC address of {@code database}, without credentials. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + requireNonNull(database, "database");
  }

  /** Creates a new empty database with a fresh name and returns the name. */
  public String createDatabase() {
    String name = "test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    client("createdb", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER, name);
    return name;
  }

  /** Runs {@code sql} in {@code database} with {@code psql} and returns what it printed (unaligned, tuples only). */
  public String sql(String database, String sql) {
    return client("psql", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER, "-d", database,
        "-v", "ON_ERROR_STOP=1", "-A", "-t", "-c", sql);
  }

  /** Whether the server is running (as far as this object started or stopped it). */
  public boolean isRunning() {
    return running;
  }

  /** Stops the server cleanly (fast shutdown: open transactions roll back) and waits until it is down. */
  public void stop() {
    if (running) {
      server("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
      running = false;
    }
  }

  /**
   * Kills the server with SIGKILL, the postmaster and its backends, as a crash would, and waits
   * until every process has exited; {@link #startAgain()} recovers from the write-ahead log.
   */
  public void kill() {
    Optional<ProcessHandle> postmaster = postmaster();
    postmaster.ifPresent(p -> {
      List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
      all.add(0, p);
      all.forEach(ProcessHandle::destroyForcibly);
      long deadline = System.nanoTime() + START_DEADLINE.toNanos();
      for (ProcessHandle h : all) {
        while (h.isAlive()) {
          if (System.nanoTime() - deadline > 0) {
            throw new AssertionError("PostgreSQL process " + h.pid() + " still alive after SIGKILL");
          }
          pause();
        }
      }
    });
    running = false;
  }

  /** Starts the server (again) on the same port and data directory and waits until it accepts connections. */
  public void startAgain() {
    if (running) {
      return;
    }
    String options = "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir.resolve("socket")
        + " -c fsync=off -c full_page_writes=off -c max_connections=200";
    server("pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-o", options, "-w",
        "-t", Long.toString(START_DEADLINE.toSeconds()), "start");
    running = true;
  }

  /** The server's log so far, for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * Stops the server at once (immediate shutdown: its data is thrown away, so no checkpoint is
   * written; SIGKILL when that fails) and deletes its directory.
   */
  @Override
  public void close() {
    try {
      if (running) {
        try {
          server("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop");
          running = false;
        } catch (RuntimeException | Error e) {
          kill();
        }
      }
    } finally {
      deleteTree(dir);
    }
  }

  private void initdb() throws IOException {
    Files.createDirectories(dir.resolve("socket"));
    Path pwfile = dir.resolve("pwfile");
    Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
    if (runAs != null) { // the temporary directory is the root user's: hand it to the server's user
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      run(List.of("chown", "-R", runAs, dir.toString()), null);
    }
    server("initdb", "-D", data.toString(), "-U", USER, "--pwfile=" + pwfile, "-A", "scram-sha-256", "-E", "UTF8",
        "--locale=C", "--no-sync");
    Files.delete(pwfile);
  }

  private Optional<ProcessHandle> postmaster() {
    try {
      List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.UTF_8);
      return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void server(String program, String... args) {
    List<String> command = new ArrayList<>();
    if (runAs != null) {
      command.addAll(List.of("runuser", "-u", runAs, "--"));
    }
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    run(command, null);
  }

  private String client(String program, String... args) {
    Path exe = bin.resolve(program);
    List<String> command = new ArrayList<>();
    command.add(Files.isExecutable(exe) ? exe.toString() : program);
    command.addAll(List.of(args));
    return run(command, password);
  }

  private String run(List<String> command, String pgPassword) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (pgPassword != null) {
      pb.environment().put("PGPASSWORD", pgPassword);
    }
    pb.directory(dir.toFile());
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(START_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(command.size(), 5)))
            + " did not finish within " + START_DEADLINE.toSeconds() + " s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(command.get(Math.min(command.size() - 1, runAs == null ? 0 : 4))
            + " failed with exit code " + p.exitValue() + ": " + out.strip()
            + (Files.exists(dir.resolve("server.log")) ? "\nserver log:\n" + log() : ""));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    }
  }

  private static boolean isRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return uid instanceof Integer i && i == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static String unprivilegedUser() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
        if (line.startsWith("postgres:")) {
          return "postgres";
        }
      }
    } catch (IOException e) {
      // fall through to nobody
    }
    return "nobody";
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a leftover temporary directory is not a test failure
    }
  }
}
