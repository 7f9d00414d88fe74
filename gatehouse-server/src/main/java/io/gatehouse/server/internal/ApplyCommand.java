package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ConfigMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse apply -f FILE}: checks a declarative file locally as {@code validate} does
 * (policies compiled), then asks the server to make it the configuration (with
 * {@code --select-tag}, the part of it carrying those tags; with {@code --dry-run}, only to check and
 * plan it), printing the plan as field-level changes; every problem, local or from the server, is
 * printed as {@code file:line: field: message}.
 */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = "Apply a declarative configuration file to a running server.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:applied (or planned, with --dry-run)", "2:bad options, or the file is missing or unreadable",
        "3:the file is not a valid configuration, or the server refused it as invalid or (--if-revision) as based on"
            + " a revision that is no longer the newest",
        "4:the server is unreachable, refused the token, or failed"})
public final class ApplyCommand implements Callable<Integer> {
  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "YAML or JSON file.")
  Path file;

  @Option(names = "--dry-run", description = "Check the file on the server and print the plan without applying it.")
  boolean dryRun;

  @Option(names = {"-m", "--message"}, paramLabel = "TEXT",
      description = "Why: stored with the revision and shown by 'gatehouse revisions'.")
  String message;

  @Option(names = "--select-tag", paramLabel = "TAG",
      description = "Apply only to entities carrying TAG (repeatable): others are kept, tagged ones absent from the file deleted.")
  List<String> selectTags = new ArrayList<>();

  @Option(names = "--if-revision", paramLabel = "N",
      description = "Apply only if the server's configuration is still at revision N (sent as If-Match); otherwise"
          + " nothing is applied and the status is 3.")
  Long ifRevision;

  @Mixin ManagementClient client;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    java.io.PrintWriter err = spec.commandLine().getErr();
    ConfigFiles.Loaded loaded;
    try {
      loaded = ConfigFiles.withEnvironment(file);
    } catch (ConfigFiles.Refused e) {
      return e.print(err);
    }
    String body = ConfigMapper.json().writeValueAsString(loaded.config());
    HttpResponse<String> r;
    try {
      r = client.send("PUT", "/api/v1/config" + query(), "application/json", "application/json", body,
          ifRevision == null ? java.util.Map.of() : java.util.Map.of("If-Match", "\"" + ifRevision + "\""));
    } catch (ManagementClient.Failure e) {
      err.println("error: " + e.getMessage());
      return e.exitCode();
    }
    JsonNode answer;
    try {
      answer = ConfigMapper.json().readTree(r.body());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      err.println("error: the server answered " + r.statusCode() + " with a body that is not JSON ("
          + io.gatehouse.model.ReadErrors.describe(e, "JSON") + ")");
      return ExitCodes.ENVIRONMENT;
    }
    if (r.statusCode() / 100 != 2) {
      err.println(r.statusCode() == 400 ? "error: the server refused the configuration as invalid:"
          : r.statusCode() == 412 ? "error: nothing was applied: " + answer.path("detail").asText()
          : "error: the server refused the configuration (" + r.statusCode() + "):");
      Plans.problems(answer, loaded.lines(), file.toString()).forEach(err::println);
      return ManagementClient.exitCodeOf(r.statusCode());
    }
    spec.commandLine().getOut().print(Plans.render(answer, dryRun));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
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
