package io.gatehouse.server.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options and HTTP plumbing shared by the commands that talk to a running server. */
final class ManagementClient {
  @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:GATEHOUSE_SERVER:-http://127.0.0.1:8001}",
      description = "Management API base URL (env GATEHOUSE_SERVER, default http://127.0.0.1:8001).")
  String server;

  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:GATEHOUSE_TOKEN}",
      description = "Bearer token (env GATEHOUSE_TOKEN; default: the admin token file in --data).")
  String token;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:GATEHOUSE_DATA:-data}",
      description = "Data directory whose admin-token file is used when no token is given (env GATEHOUSE_DATA,"
          + " default ./data of the working directory).")
  Path data;

  /** Thrown with a message for the user and the exit status when the server cannot be used. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    Failure(String message, int exitCode) {
      super(message);
      this.exitCode = exitCode;
    }

    /** {@link ExitCodes#USAGE} when no token was given, else {@link ExitCodes#ENVIRONMENT}. */
    int exitCode() {
      return exitCode;
    }
  }

  /**
   * The exit status for a server answer that is not a success: {@link ExitCodes#INVALID} when the server
   * refused the request's content (400, 409, 412, 422), {@link ExitCodes#ENVIRONMENT} otherwise.
   */
  static int exitCodeOf(int status) {
    return status == 400 || status == 409 || status == 412 || status == 422 ? ExitCodes.INVALID : ExitCodes.ENVIRONMENT;
  }

  HttpResponse<String> send(String method, String path, String contentType, String accept, String body)
      throws Failure, InterruptedException {
    return send(method, path, contentType, accept, body, java.util.Map.of());
  }

  /** Like {@link #send(String, String, String, String, String)}, with the request headers {@code headers} too. */
  HttpResponse<String> send(String method, String path, String contentType, String accept, String body,
      java.util.Map<String, String> headers) throws Failure, InterruptedException {
    String bearer = token;
    if (bearer == null || bearer.isBlank()) {
      Path file = data.resolve("admin-token");
      try {
        bearer = Files.readString(file, StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        throw new Failure("no token: pass --token, set GATEHOUSE_TOKEN, or pass --data DIR naming the data directory"
            + " whose admin-token file to use (" + file.toAbsolutePath() + " is not readable)", ExitCodes.USAGE);
      }
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.replaceAll("/+$", "") + path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + bearer)
        .header("Accept", accept);
    headers.forEach(b::header);
    if (body != null) {
      b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 401) {
        throw new Failure("the server at " + server + " refused the token (401): check --token or GATEHOUSE_TOKEN",
            ExitCodes.ENVIRONMENT);
      }
      return r;
    } catch (ConnectException e) {
      throw new Failure("cannot reach " + server + ": is 'gatehouse serve' running? (--server or GATEHOUSE_SERVER)",
          ExitCodes.ENVIRONMENT);
    } catch (IOException e) {
      throw new Failure("talking to " + server + " failed: " + IoMessages.describe(e), ExitCodes.ENVIRONMENT);
    }
  }
}
