package io.gatehouse.server.internal;

import io.gatehouse.model.apim.ApimPolicyImport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gatehouse import}: converts configuration written for other products into Gatehouse's. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Convert configuration from other products.",
    subcommands = {ImportCommand.ApimPolicy.class})
public final class ImportCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.err.println("error: name what to import, e.g. 'gatehouse import apim-policy policy.xml'");
    return ExitCodes.USAGE;
  }

  /**
   * {@code gatehouse import apim-policy FILE.xml [-o FILE]}: writes the Gatehouse policies of an
   * Azure API Management policy document as YAML and lists on standard error, with line numbers,
   * every element or expression left out. Exit status 0 when converted (even partly), 2 when the
   * file cannot be read, 3 when it is not a policy document, 4 when the output cannot be written.
   */
  @Command(name = "apim-policy", mixinStandardHelpOptions = true,
      description = "Convert an Azure API Management policy document (XML) into Gatehouse policy YAML.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"0:converted (what was left out is listed on standard error)",
          "2:bad options, or the file is missing or unreadable", "3:the file is not an APIM policy document",
          "4:the output file cannot be written"})
  static final class ApimPolicy implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE.xml", description = "The APIM policy document.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
        description = "Output file, relative to the working directory (default: standard output).")
    Path output;

    @Override
    public Integer call() throws Exception {
      String unreadable = InputFiles.unreadable(input);
      if (unreadable != null) {
        System.err.println("error: " + unreadable);
        return ExitCodes.USAGE;
      }
      ApimPolicyImport.Result result;
      try {
        result = ApimPolicyImport.convert(Files.readString(input, StandardCharsets.UTF_8));
      } catch (ApimPolicyImport.ImportException e) {
        System.err.println("error: " + input + ": " + e.getMessage());
        return ExitCodes.INVALID;
      } catch (java.io.IOException e) {
        System.err.println("error: cannot read " + input + ": " + IoMessages.describe(e));
        return ExitCodes.USAGE;
      }
      for (ApimPolicyImport.Finding f : result.unconverted()) {
        System.err.println(input + ":" + f.line() + ": <" + f.element() + "> " + f.message());
      }
      String yaml = "# Converted from " + input.getFileName() + " by 'gatehouse import apim-policy'.\n"
          + "# Place under 'policies:' of the matching scope (global, product, API or operation).\n"
          + result.yaml();
      if (output == null) {
        System.out.print(yaml);
      } else {
        try {
          Files.writeString(output, yaml, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
          System.err.println("error: cannot write " + output.toAbsolutePath() + ": " + IoMessages.describe(e));
          return ExitCodes.ENVIRONMENT;
        }
        System.err.println("wrote " + output.toAbsolutePath());
      }
      if (!result.unconverted().isEmpty()) {
        System.err.println(result.unconverted().size() + " element(s) or expression(s) not converted; see above");
      }
      return ExitCodes.OK;
    }
  }
}
