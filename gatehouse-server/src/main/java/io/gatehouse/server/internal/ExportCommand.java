package io.gatehouse.server.internal;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gatehouse export}: writes the running server's configuration as YAML, in the format
 * {@code apply} reads, so that export then apply changes nothing.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write the current configuration as YAML.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:written", "2:bad options, or no token to use",
        "4:the server is unreachable, refused the token or failed, or the output file cannot be written"})
public final class ExportCommand implements Callable<Integer> {
  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Output file, relative to the working directory (default: standard output).")
  Path output;

  @Mixin ManagementClient client;

  @Override
  public Integer call() throws Exception {
    HttpResponse<String> r;
    try {
      r = client.send("GET", "/api/v1/config", null, "application/yaml", null);
    } catch (ManagementClient.Failure e) {
      System.err.println("error: " + e.getMessage());
      return e.exitCode();
    }
    if (r.statusCode() != 200) {
      System.err.println("error: the server answered " + r.statusCode() + ": " + r.body());
      return ExitCodes.ENVIRONMENT;
    }
    if (output == null) {
      System.out.print(r.body());
    } else {
      // sealed secrets and key hashes: private to the user (0600) when the file is new
      try {
        Files.writeString(io.gatehouse.model.storage.PrivateFiles.file(output), r.body(), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        System.err.println("error: cannot write " + output.toAbsolutePath() + ": " + IoMessages.describe(e));
        return ExitCodes.ENVIRONMENT;
      }
      System.err.println("wrote " + output.toAbsolutePath());
    }
    return ExitCodes.OK;
  }
}
