package io.gatehouse.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.model.ConfigMapper;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gatehouse revisions list|show|diff|rollback}: the running server's configuration history,
 * read and rolled back through the management API.
 */
@Command(name = "revisions", mixinStandardHelpOptions = true,
    description = "List, show, compare and roll back configuration revisions of a running server.",
    subcommands = {RevisionsCommand.ListRevisions.class, RevisionsCommand.Show.class, RevisionsCommand.Diff.class,
        RevisionsCommand.Rollback.class})
public final class RevisionsCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.err);
    return ExitCodes.USAGE;
  }

  /** How a subcommand prints: for people, or the server's JSON as is. */
  enum Output { text, json }

  /** The answer of one call: its status and parsed body, or the exit status of a failure already reported. */
  private record Answer(int status, JsonNode body, int failure) {}

  private static Answer send(ManagementClient client, String method, String path) throws InterruptedException {
    HttpResponse<String> r;
    try {
      r = client.send(method, path, null, "application/json", null);
    } catch (ManagementClient.Failure e) {
      System.err.println("error: " + e.getMessage());
      return new Answer(0, null, ExitCodes.ENVIRONMENT);
    }
    JsonNode body;
    try {
      body = ConfigMapper.json().readTree(r.body());
    } catch (JsonProcessingException e) {
      System.err.println("error: the server answered " + r.statusCode() + " with a body that is not JSON ("
          + io.gatehouse.model.ReadErrors.describe(e, "JSON") + ")");
      return new Answer(r.statusCode(), null, ExitCodes.ENVIRONMENT);
    }
    if (r.statusCode() / 100 == 2) {
      return new Answer(r.statusCode(), body, ExitCodes.OK);
    }
    int status = switch (r.statusCode()) {
      case 404 -> ExitCodes.USAGE; // no such revision: the argument is wrong
      case 400 -> ExitCodes.INVALID; // the numbers are checked here; 400 means the configuration was refused
      default -> ExitCodes.ENVIRONMENT;
    };
    System.err.println("error: the server answered " + r.statusCode() + ":");
    Plans.problems(body, null, null).forEach(System.err::println);
    return new Answer(r.statusCode(), body, status);
  }

  private static int printJson(JsonNode body) throws JsonProcessingException {
    System.out.println(ConfigMapper.json().writerWithDefaultPrettyPrinter().writeValueAsString(body));
    return ExitCodes.OK;
  }

  private static int revisionNumber(String name, long value) {
    if (value < 0) {
      System.err.println("error: " + name + ": expected a revision number (0 or more) but got " + value);
      return ExitCodes.USAGE;
    }
    return ExitCodes.OK;
  }

  /** {@code revisions list}: newest first, the current one marked. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List revisions, newest first.")
  static final class ListRevisions implements Callable<Integer> {
    @Option(names = "--limit", defaultValue = "20", description = "How many revisions (1 to 500, default 20).")
    int limit;

    @Option(names = "--offset", defaultValue = "0", description = "How many of the newest to skip (default 0).")
    int offset;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (default) or json.")
    Output output;

    @Mixin ManagementClient client;

    @Override
    public Integer call() throws Exception {
      Answer a = send(client, "GET", "/api/v1/revisions?limit=" + limit + "&offset=" + offset);
      if (a.failure() != ExitCodes.OK) {
        return a.failure();
      }
      if (output == Output.json) {
        return printJson(a.body());
      }
      long current = a.body().path("current").asLong();
      StringBuilder out = new StringBuilder(String.format("  %-5s %-24s %-16s %-9s %s%n", "REV", "TIME", "AUTHOR", "SOURCE", "MESSAGE"));
      for (JsonNode r : a.body().path("items")) {
        out.append(r.path("id").asLong() == current ? "* " : "  ")
            .append(String.format("%-5s %-24s %-16s %-9s %s%n", r.path("id").asText(), r.path("time").asText(),
                r.path("author").asText(), r.path("source").asText(), oneLine(r.path("message").asText())));
      }
      System.out.print(out);
      return ExitCodes.OK;
    }
  }

  /** {@code revisions show N}: a revision's metadata and configuration. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show one revision: number, time, author, source, message and its configuration (YAML).")
  static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "N", description = "Revision number (0 is the empty configuration before any change).")
    long id;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (YAML, default) or json.")
    Output output;

    @Mixin ManagementClient client;

    @Override
    public Integer call() throws Exception {
      int bad = revisionNumber("N", id);
      if (bad != ExitCodes.OK) {
        return bad;
      }
      Answer a = send(client, "GET", "/api/v1/revisions/" + id);
      if (a.failure() != ExitCodes.OK) {
        return a.failure();
      }
      if (output == Output.json) {
        return printJson(a.body());
      }
      ObjectNode body = (ObjectNode) a.body();
      body.put("message", oneLine(body.path("message").asText()));
      System.out.print(ConfigMapper.yaml().writeValueAsString(body));
      return ExitCodes.OK;
    }
  }

  /** {@code revisions diff A B}: the field-level changes from one revision to another. */
  @Command(name = "diff", mixinStandardHelpOptions = true,
      description = "Print the changes that turn revision A into revision B (0 is the empty configuration).")
  static final class Diff implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A", description = "The revision compared from.")
    long from;

    @Parameters(index = "1", paramLabel = "B", description = "The revision compared to.")
    long to;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (default) or json.")
    Output output;

    @Mixin ManagementClient client;

    @Override
    public Integer call() throws Exception {
      int bad = Math.max(revisionNumber("A", from), revisionNumber("B", to));
      if (bad != ExitCodes.OK) {
        return bad;
      }
      Answer a = send(client, "GET", "/api/v1/revisions/" + from + "/diff/" + to);
      if (a.failure() != ExitCodes.OK) {
        return a.failure();
      }
      if (output == Output.json) {
        return printJson(a.body());
      }
      io.gatehouse.model.ConfigDiff diff = Plans.diff(a.body().path("changes"));
      System.out.print(diff.render());
      System.out.println(diff.summary() + " (revision " + from + " -> " + to + ")");
      return ExitCodes.OK;
    }
  }

  /** {@code revisions rollback N}: a new revision whose configuration equals revision N. */
  @Command(name = "rollback", mixinStandardHelpOptions = true,
      description = "Commit a new revision whose configuration equals revision N (0 empties the configuration).")
  static final class Rollback implements Callable<Integer> {
    @Parameters(paramLabel = "N", description = "The revision to return to.")
    long id;

    @Option(names = "--dry-run", description = "Print the plan (current revision -> N) without rolling back.")
    boolean dryRun;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (default) or json.")
    Output output;

    @Mixin ManagementClient client;

    @Override
    public Integer call() throws Exception {
      int bad = revisionNumber("N", id);
      if (bad != ExitCodes.OK) {
        return bad;
      }
      if (dryRun) {
        Answer list = send(client, "GET", "/api/v1/revisions?limit=1");
        if (list.failure() != ExitCodes.OK) {
          return list.failure();
        }
        long current = list.body().path("current").asLong();
        Answer a = send(client, "GET", "/api/v1/revisions/" + current + "/diff/" + id);
        if (a.failure() != ExitCodes.OK) {
          return a.failure();
        }
        if (output == Output.json) {
          return printJson(a.body());
        }
        io.gatehouse.model.ConfigDiff diff = Plans.diff(a.body().path("changes"));
        System.out.print(diff.render());
        System.out.println(diff.summary() + " (dry run: nothing rolled back; revision " + current + " -> " + id + ")");
        return ExitCodes.OK;
      }
      Answer a = send(client, "POST", "/api/v1/revisions/" + id + "/rollback");
      if (a.failure() != ExitCodes.OK) {
        return a.failure();
      }
      if (output == Output.json) {
        return printJson(a.body());
      }
      System.out.print(Plans.render(a.body(), false));
      return ExitCodes.OK;
    }
  }

  /** A message on one line, control characters shown as spaces (a message is free text from any author). */
  private static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return out.toString();
  }
}
