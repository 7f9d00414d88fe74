package io.gatehouse.server.internal;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import picocli.CommandLine;

/**
 * Starts {@code serve} for tests, in-process or as a child process whose printed ports it reads, and
 * talks to what it serves: its management API, its admin token and the certificates of its HTTPS
 * listener.
 */
final class Serving {
  private Serving() {}

  /** A {@code serve} command parsed from {@code args}, not yet started. */
  static ServeCommand command(String... args) {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd;
  }

  /** Starts {@code serve} with {@code args} and no configuration file, its console output discarded. */
  static ServeCommand.Running start(String... args) throws Exception {
    return command(args).start(null, quiet());
  }

  /** A console that discards what is printed to it. */
  static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream());
  }

  /** A TCP port free on this machine now (for options that do not accept port 0). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The admin token {@code serve} wrote into data directory {@code data}. */
  static String adminToken(Path data) throws IOException {
    return Files.readString(data.resolve("admin-token")).strip();
  }

  /**
   * Sends {@code method path} (under {@code /api/v1}) to {@code server}'s management API as {@code token},
   * with {@code body} of {@code contentType} when not null.
   */
  static HttpResponse<String> mgmt(HttpClient http, ServeCommand.Running server, String token, Duration timeout,
      String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.management().actualPort()
        + "/api/v1" + path)).header("Authorization", "Bearer " + token).timeout(timeout);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The certificate the HTTPS listener on {@code port} presents for SNI {@code host}, trusted without checks. */
  static X509Certificate served(int port, String host) throws Exception {
    try (SSLSocket s = (SSLSocket) trustingAnyServer().getSocketFactory().createSocket("127.0.0.1", port)) {
      SSLParameters p = s.getSSLParameters();
      p.setServerNames(List.of(new SNIHostName(host)));
      s.setSSLParameters(p);
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  /** A TLS context that accepts any server certificate and presents none. */
  static SSLContext trustingAnyServer() throws GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return ctx;
  }

  /**
   * A started child process, the standard output it printed so far, and one port per pattern given
   * to {@link #spawn}.
   */
  record Child(Process process, StringBuffer out, List<CompletableFuture<Integer>> ports) {}

  /**
   * Starts {@code pb} and copies its standard output into {@link Child#out()}; each of {@code ports}
   * (a pattern whose group 1 is a port) completes its future from the first line it finds, or fails
   * when the process exits before printing one.
   */
  static Child spawn(ProcessBuilder pb, String name, Pattern... ports) throws IOException {
    Process p = pb.start();
    List<CompletableFuture<Integer>> found = new ArrayList<>();
    for (int i = 0; i < ports.length; i++) {
      found.add(new CompletableFuture<>());
    }
    StringBuffer out = new StringBuffer();
    Thread drain = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          out.append(line).append('\n');
          for (int i = 0; i < ports.length; i++) {
            Matcher m = ports[i].matcher(line);
            if (m.find()) {
              found.get(i).complete(Integer.parseInt(m.group(1)));
            }
          }
        }
      } catch (IOException e) {
        // the process died
      } finally {
        found.forEach(f -> f.completeExceptionally(new AssertionError(name + " exited before listening")));
      }
    }, name + "-stdout");
    drain.setDaemon(true);
    drain.start();
    return new Child(p, out, found);
  }
}
