package io.gatehouse.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigLoader;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gatehouse apply -f FILE}: validates a declarative file locally, then asks the server to
 * make it the configuration, printing the plan of created, updated and deleted entities.
 */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = "Apply a declarative configuration file to a running server.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:applied (or planned, with --dry-run)", "2:bad options, or the file is missing or unreadable",
        "3:the file is not a valid configuration, or the server refused it as invalid",
        "4:the server is unreachable, refused the token, or failed"})
public final class ApplyCommand implements Callable<Integer> {
  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "YAML or JSON file.")
  Path file;

  @Option(names = "--dry-run", description = "Print the plan without applying it.")
  boolean dryRun;

  @Mixin ManagementClient client;

  @Override
  public Integer call() throws Exception {
    String unreadable = InputFiles.unreadable(file);
    if (unreadable != null) {
      System.err.println("error: " + unreadable);
      return ExitCodes.USAGE;
    }
    GatewayConfig config;
    try {
      config = ConfigLoader.fromSystemEnvironment().load(file);
    } catch (ConfigException e) {
      System.err.println("error: " + file + " is not a valid configuration:");
      e.problems().forEach(p -> System.err.println("  " + p));
      return ExitCodes.INVALID;
    }
    String body = ConfigMapper.json().writeValueAsString(config);
    HttpResponse<String> r;
    try {
      r = client.send("PUT", "/api/v1/config" + (dryRun ? "?dryRun=true" : ""), "application/json",
          "application/json", body);
    } catch (ManagementClient.Failure e) {
      System.err.println("error: " + e.getMessage());
      return e.exitCode();
    }
    JsonNode answer;
    try {
      answer = ConfigMapper.json().readTree(r.body());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      System.err.println("error: the server answered " + r.statusCode() + " with a body that is not JSON ("
          + io.gatehouse.model.ReadErrors.describe(e, "JSON") + ")");
      return ExitCodes.ENVIRONMENT;
    }
    if (r.statusCode() / 100 != 2) {
      System.err.println("error: the server refused the configuration (" + r.statusCode() + "):");
      System.err.println(Plans.problems(answer));
      return ManagementClient.exitCodeOf(r.statusCode());
    }
    System.out.print(Plans.render(answer, dryRun));
    return ExitCodes.OK;
  }
}
