package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gatehouse apply -f FILE}: validates a declarative file locally, then asks the server to
 * make it the configuration (or, with {@code --select-tag}, the part of it carrying those tags),
 * printing the plan as field-level changes.
 */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = "Apply a declarative configuration file to a running server.")
public final class ApplyCommand implements Callable<Integer> {
  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "YAML or JSON file.")
  Path file;

  @Option(names = "--dry-run", description = "Print the plan without applying it.")
  boolean dryRun;

  @Option(names = {"-m", "--message"}, paramLabel = "TEXT",
      description = "Why: stored with the revision and shown by 'gatehouse revisions'.")
  String message;

  @Option(names = "--select-tag", paramLabel = "TAG",
      description = "Apply only to entities carrying TAG (repeatable): others are kept, tagged ones absent from the file deleted.")
  List<String> selectTags = new ArrayList<>();

  @Mixin ManagementClient client;

  @Override
  public Integer call() throws Exception {
    GatewayConfig config;
    try {
      config = ConfigLoader.fromSystemEnvironment().load(file);
    } catch (ConfigException e) {
      System.err.println("error: " + file + " is not a valid configuration:");
      e.problems().forEach(p -> System.err.println("  " + p));
      return 2;
    }
    String body = ConfigMapper.json().writeValueAsString(config);
    HttpResponse<String> r;
    try {
      r = client.send("PUT", "/api/v1/config" + query(), "application/json", "application/json", body);
    } catch (ManagementClient.Failure e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
    JsonNode answer;
    try {
      answer = ConfigMapper.json().readTree(r.body());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      System.err.println("error: the server answered " + r.statusCode() + " with a body that is not JSON ("
          + io.gatehouse.model.ReadErrors.describe(e, "JSON") + ")");
      return 1;
    }
    if (r.statusCode() / 100 != 2) {
      System.err.println("error: the server refused the configuration (" + r.statusCode() + "):");
      System.err.println(Plans.problems(answer));
      return 1;
    }
    System.out.print(Plans.render(answer, dryRun));
    return 0;
  }

  /** The query string of the PUT: dry run, message and selected tags. */
  private String query() {
    List<String> params = new ArrayList<>();
    if (dryRun) {
      params.add("dryRun=true");
    }
    if (message != null) {
      params.add("message=" + URLEncoder.encode(message, StandardCharsets.UTF_8));
    }
    if (!selectTags.isEmpty()) {
      params.add("selectTag=" + URLEncoder.encode(String.join(",", selectTags), StandardCharsets.UTF_8));
    }
    return params.isEmpty() ? "" : "?" + String.join("&", params);
  }
}
