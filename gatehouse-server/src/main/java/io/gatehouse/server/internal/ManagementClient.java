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
  @Option(names = "--server", defaultValue = "${env:GATEHOUSE_SERVER:-http://127.0.0.1:8001}",
      description = "Management API base URL (env GATEHOUSE_SERVER, default http://127.0.0.1:8001).")
  String server;

  @Option(names = "--token", defaultValue = "${env:GATEHOUSE_TOKEN}",
      description = "Bearer token (env GATEHOUSE_TOKEN; default: the admin token file in --data).")
  String token;

  @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:GATEHOUSE_DATA:-data}",
      description = "Data directory whose admin-token file is used when no token is given.")
  Path data;

  /** Thrown with a message for the user when the server cannot be used. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message);
    }
  }

  HttpResponse<String> send(String method, String path, String contentType, String accept, String body)
      throws Failure, InterruptedException {
    String bearer = token;
    if (bearer == null || bearer.isBlank()) {
      Path file = data.resolve("admin-token");
      try {
        bearer = Files.readString(file, StandardCharsets.UTF_8).trim();
      } catch (IOException e) {
        throw new Failure("no token: pass --token, set GATEHOUSE_TOKEN, or run where " + file + " is readable");
      }
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.replaceAll("/+$", "") + path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + bearer)
        .header("Accept", accept);
    if (body != null) {
      b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 401) {
        throw new Failure("the server refused the token (401)");
      }
      return r;
    } catch (ConnectException e) {
      throw new Failure("cannot reach " + server + ": is 'gatehouse serve' running?");
    } catch (IOException e) {
      throw new Failure("talking to " + server + " failed: " + IoMessages.describe(e));
    }
  }
}
