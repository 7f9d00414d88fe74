package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code apply} plans, messages and selected tags, and {@code revisions}, against a running server. */
class RevisionsCliTest {
  final HttpClient http = HttpClient.newHttpClient();
  ServeCommand.Running running;
  String token;

  @AfterEach
  void close() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  void serve(Path data) throws Exception {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", data.toString(), "--gateway-host", "127.0.0.1",
        "--allowed-backend-networks", String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s");
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
    token = Files.readString(data.resolve("admin-token")).trim();
  }

  String mgmt() {
    return "http://127.0.0.1:" + running.management().actualPort();
  }

  ServeTest.Cli cli(String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 4);
    all[args.length] = "--server";
    all[args.length + 1] = mgmt();
    all[args.length + 2] = "--token";
    all[args.length + 3] = token;
    return ServeTest.Cli.run(all);
  }

  int post(String path, String json) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(mgmt() + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  static String platform(int calls, String secret, boolean silver) {
    return """
        backends: [{name: echo, url: "http://127.0.0.1:9", tags: [platform]}]
        apis:
          - name: pets
            path: /pets
            backend: echo
            tags: [platform]
            policies:
              inbound:
                - rate-limit: {calls: %d, period: 1m}
        products:
          - {name: gold, apis: [pets], tags: [platform]}
        %s
        namedValues: [{name: db, type: secret, value: %s, tags: [platform]}]
        """.formatted(calls, silver ? "  - {name: silver, apis: [pets], tags: [platform]}" : "", secret);
  }

  @Test
  void applyPlansFieldsSelectsTagsAndRevisionsListShowDiffAndRollBack(@TempDir Path dir) throws Exception {
    serve(dir.resolve("data"));
    Path file = dir.resolve("platform.yaml");
    Files.writeString(file, platform(5, "hunter2-one", true));

    ServeTest.Cli first = cli("apply", "-f", file.toString(), "--message", "first platform release");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("  + /apis/pets\n").contains("5 created, 0 updated, 0 deleted (revision 1)")
        .doesNotContain("hunter2");

    // a consumer's subscription made through the API, and one the platform team owns
    assertThat(post("/api/v1/subscriptions", "{\"name\":\"from-portal\",\"scope\":\"product:gold\"}")).isEqualTo(201);
    assertThat(post("/api/v1/subscriptions",
        "{\"name\":\"platform-owned\",\"scope\":\"product:silver\",\"tags\":[\"platform\"]}")).isEqualTo(201);

    Files.writeString(file, platform(10, "hunter2-two", false));
    ServeTest.Cli plan = cli("apply", "-f", file.toString(), "--select-tag", "platform", "--dry-run");
    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.out())
        .contains("  ~ /apis/pets/policies/inbound/0/rate-limit/calls: 5 -> 10\n")
        .contains("  - /products/silver\n")
        .contains("  - /subscriptions/platform-owned\n")
        .contains("  ~ /namedValues/db/value: (secret changed)\n")
        .contains("0 created, 2 updated, 2 deleted (dry run: nothing applied)")
        .doesNotContain("from-portal").doesNotContain("hunter2");

    ServeTest.Cli scoped = cli("apply", "-f", file.toString(), "--select-tag", "platform", "-m", "raise the limit");
    assertThat(scoped.code()).as(scoped.err()).isZero();
    assertThat(scoped.out()).contains("(revision 4)");
    GatewayConfig now = running.plane().config();
    assertThat(now.subscription("from-portal")).as("the consumer's subscription is left alone").isPresent();
    assertThat(now.subscription("platform-owned")).isEmpty();

    Files.writeString(dir.resolve("untagged.yaml"), platform(10, "hunter2-two", false) + "users: [{name: bob}]\n");
    ServeTest.Cli untagged = cli("apply", "-f", dir.resolve("untagged.yaml").toString(), "--select-tag", "platform");
    assertThat(untagged.code()).isNotZero();
    assertThat(untagged.err()).contains("users[0].tags").contains("user 'bob' carries none of the selected tags (platform)");

    ServeTest.Cli list = cli("revisions", "list");
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out()).contains("first platform release").contains("raise the limit")
        .contains("create subscriptions/from-portal").containsPattern("(?m)^\\* 4 ");
    JsonNode listJson = ConfigMapper.json().readTree(cli("revisions", "list", "--output", "json").out());
    assertThat(listJson.path("current").asLong()).isEqualTo(4);
    assertThat(listJson.path("items").get(0).path("message").asText()).isEqualTo("raise the limit");

    ServeTest.Cli show = cli("revisions", "show", "1");
    assertThat(show.code()).as(show.err()).isZero();
    assertThat(show.out()).contains("message: first platform release").contains("name: pets").doesNotContain("hunter2");

    ServeTest.Cli diff = cli("revisions", "diff", "1", "4");
    assertThat(diff.code()).as(diff.err()).isZero();
    assertThat(diff.out())
        .contains("  ~ /apis/pets/policies/inbound/0/rate-limit/calls: 5 -> 10\n")
        .contains("  + /subscriptions/from-portal\n")
        .contains("1 created, 2 updated, 1 deleted (revision 1 -> 4)")
        .doesNotContain("hunter2");
    JsonNode diffJson = ConfigMapper.json().readTree(cli("revisions", "diff", "1", "4", "-o", "json").out());
    assertThat(diffJson.path("changes").get(0).path("path").asText()).isEqualTo("/apis/pets/policies/inbound/0/rate-limit/calls");

    ServeTest.Cli dryBack = cli("revisions", "rollback", "1", "--dry-run");
    assertThat(dryBack.out()).contains("  ~ /apis/pets/policies/inbound/0/rate-limit/calls: 10 -> 5\n")
        .contains("(dry run: nothing rolled back; revision 4 -> 1)");
    assertThat(running.plane().revision().id()).isEqualTo(4);
    ServeTest.Cli back = cli("revisions", "rollback", "1");
    assertThat(back.code()).as(back.err()).isZero();
    assertThat(back.out()).contains("(revision 5)");
    assertThat(cli("revisions", "list", "--limit", "1").out()).contains("rollback to revision 1").contains("rollback");

    ServeTest.Cli missing = cli("revisions", "show", "99");
    assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("404").contains("no revision 99");
  }

  @Test
  void revisionZeroIsTheEmptyConfigurationToDiffAndToRollBackTo(@TempDir Path dir) throws Exception {
    serve(dir.resolve("data"));
    Path file = dir.resolve("platform.yaml");
    Files.writeString(file, platform(5, "hunter2-one", false));
    assertThat(cli("apply", "-f", file.toString()).code()).isZero();

    ServeTest.Cli fromZero = cli("revisions", "diff", "0", "1");
    assertThat(fromZero.code()).as(fromZero.err()).isZero();
    assertThat(fromZero.out()).contains("  + /apis/pets\n").contains("4 created, 0 updated, 0 deleted (revision 0 -> 1)");

    ServeTest.Cli toZero = cli("revisions", "rollback", "0");
    assertThat(toZero.code()).as(toZero.err()).isZero();
    assertThat(toZero.out()).contains("  - /apis/pets\n").contains("0 created, 0 updated, 4 deleted (revision 2)");
    assertThat(running.plane().config()).isEqualTo(GatewayConfig.EMPTY);
    assertThat(cli("revisions", "diff", "0", "2").out()).startsWith("0 created, 0 updated, 0 deleted");
  }

  @Test
  void applyWithIfRevisionAppliesOnlyOnThatRevisionAndOtherwiseChangesNothing(@TempDir Path dir) throws Exception {
    serve(dir.resolve("data"));
    Path file = dir.resolve("platform.yaml");
    Files.writeString(file, platform(5, "hunter2-one", false));
    assertThat(cli("apply", "-f", file.toString()).code()).isZero();
    assertThat(post("/api/v1/subscriptions", "{\"name\":\"meanwhile\",\"scope\":\"product:gold\"}")).isEqualTo(201);

    Files.writeString(file, platform(10, "hunter2-one", false));
    ServeTest.Cli stale = cli("apply", "-f", file.toString(), "--if-revision", "1");
    assertThat(stale.code()).isEqualTo(ExitCodes.INVALID);
    assertThat(stale.err()).contains("nothing was applied").contains("If-Match names revision 1")
        .contains("at revision 2");
    assertThat(running.plane().revision().id()).isEqualTo(2);
    assertThat(running.plane().config().subscription("meanwhile")).as("the change made meanwhile is kept").isPresent();

    ServeTest.Cli fresh = cli("apply", "-f", file.toString(), "--if-revision", "2");
    assertThat(fresh.code()).as(fresh.err()).isZero();
    assertThat(fresh.out()).contains("(revision 3)");
  }
}
