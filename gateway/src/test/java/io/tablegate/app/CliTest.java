package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.TestTables;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tablegate share|recipient} command line against a running gateway's admin API. */
public class CliTest {
  static final String ADMIN = "cli-admin-token-0123456789";
  @TempDir static Path dir;
  static GatewayHarness gw;

  @BeforeAll
  static void start() throws Exception {
    TestTables.writeHistoryTable(dir.resolve("events"));
    gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        admin: {port: 0, token: %s, catalogFile: catalog.json}
        """
                .formatted(ADMIN),
            dir);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  public record Run(int code, String out, String err) {}

  static Run cli(String... args) {
    return cli(gw, ADMIN, args);
  }

  /** The CLI run against {@code gateway}'s admin API with {@code adminToken}. */
  public static Run cli(GatewayHarness gateway, String adminToken, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new Cli(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(
                    "TABLEGATE_ADMIN_URL",
                    "http://127.0.0.1:" + gateway.gateway.adminPort(),
                    "TABLEGATE_ADMIN_TOKEN",
                    adminToken))
            .execute(args);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void previewPrintsATablesFirstRowsAsAnAlignedTable() throws Exception {
    // Given
    assertThat(cli("share", "create", "peek").code()).isZero();
    Run added =
        cli(
            "share",
            "update",
            "peek",
            "--add-table",
            "q1.events=" + dir.resolve("events").toUri(),
            "--history");
    assertThat(added.code()).as(added.err()).isZero();
    // When
    Run preview = cli("preview", "peek.q1.events", "--limit", "2");
    Run old = cli("preview", "peek.q1.events", "--version", "0", "--limit", "100");
    Run bad = cli("preview", "peek.events");
    Run missing = cli("preview", "peek.q1.nope");
    // Then
    assertThat(preview.code()).as(preview.err()).isZero();
    List<String> lines = preview.out().lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).matches("\\S+ +\\| .*");
    assertThat(lines.get(1)).matches("-+(-\\+-+)+");
    // every row's column separators line up under the header's
    int bar = lines.get(0).indexOf('|');
    assertThat(lines.get(2).indexOf('|')).isEqualTo(bar);
    assertThat(lines.get(3).indexOf('|')).isEqualTo(bar);
    assertThat(lines.get(4)).startsWith("(2 rows, version ");
    assertThat(old.code()).as(old.err()).isZero();
    assertThat(old.out()).contains(", version 0)");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("SHARE.SCHEMA.TABLE");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("nope");
  }

  @Test
  void aNewcomerCreatesAShareAndATokenAndTheRecipientReadsIt() throws Exception {
    assertThat(cli("share", "create", "sales").code()).isZero();
    Run added =
        cli(
            "share",
            "update",
            "sales",
            "--add-table",
            "q1.events=" + dir.resolve("events").toUri(),
            "--history");
    assertThat(added.code()).as(added.err()).isZero();
    assertThat(added.out()).contains("Added table sales.q1.events");
    Run info = cli("share", "info", "sales");
    assertThat(info.out())
        .contains("sales  (live, id ")
        .contains("└── q1")
        .contains("    └── events  delta  file:")
        .contains("history");
    Path profile = dir.resolve("profiles/acme.share");
    Run token =
        cli(
            "share",
            "token",
            "create",
            "sales",
            "--description",
            "acme",
            "--expires-in",
            "30d",
            "--profile",
            profile.toString());
    assertThat(token.code()).as(token.err()).isZero();
    assertThat(token.err()).contains("shown once");
    JsonNode p = GatewayHarness.MAPPER.readTree(Files.readString(profile));
    assertThat(p.get("shareCredentialsVersion").asInt()).isEqualTo(1);
    assertThat(p.get("endpoint").asText()).isEqualTo(gw.endpoint());
    assertThat(p.get("expirationTime").asText()).isNotBlank();
    assertThat(token.out()).contains(p.get("bearerToken").asText());
    assertThat(Files.getPosixFilePermissions(profile))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    // the recipient reads with the profile's token
    String bearer = p.get("bearerToken").asText();
    assertThat(gw.get("/shares/sales/schemas/q1/tables/events/version", bearer).status())
        .isEqualTo(200);
    // list (no secrets), --json, revoke
    Run list = cli("share", "token", "list", "sales");
    assertThat(list.out()).contains("active").contains("\"acme\"").doesNotContain(bearer);
    JsonNode tokens =
        GatewayHarness.MAPPER.readTree(cli("share", "token", "list", "sales", "--json").out());
    String id = tokens.get(0).get("id").asText();
    assertThat(cli("share", "token", "revoke", id).out()).contains("Revoked token " + id);
    assertThat(gw.get("/shares/sales/schemas/q1/tables/events/version", bearer).status())
        .isEqualTo(401);
    assertThat(cli("share", "list").out()).contains("sales");
  }

  @Test
  void recipientUsageCountsRequestsFilesAndBytesPerTable() throws Exception {
    assertThat(cli("share", "create", "used").code()).isZero();
    assertThat(
            cli(
                    "share",
                    "update",
                    "used",
                    "--add-table",
                    "u.events=" + dir.resolve("events").toUri())
                .code())
        .isZero();
    assertThat(cli("recipient", "create", "reader", "--share", "used").code()).isZero();
    String bearer =
        GatewayHarness.MAPPER
            .readTree(cli("recipient", "token", "create", "reader", "--json").out())
            .get("token")
            .asText();
    assertThat(cli("recipient", "usage", "reader").out()).contains("(nothing read)");
    assertThat(gw.get("/shares/used/schemas/u/tables/events/version", bearer).status())
        .isEqualTo(200);
    var q = gw.post("/shares/used/schemas/u/tables/events/query", bearer, "{}");
    assertThat(q.status()).isEqualTo(200);
    List<JsonNode> files = q.lines().stream().filter(l -> l.has("file")).toList();
    String url = files.get(0).get("file").get("url").asText();
    var download = gw.send(io.vertx.core.http.HttpMethod.GET, url, null, Map.of(), null);
    assertThat(download.status()).isEqualTo(200);
    // a refused request is not usage
    assertThat(gw.get("/shares/used/schemas/u/tables/nope/version", bearer).status())
        .isEqualTo(404);
    // counted when each response has ended on the server: polled, as a busy machine may lag
    java.util.concurrent.Callable<JsonNode> read =
        () ->
            GatewayHarness.MAPPER
                .readTree(cli("recipient", "usage", "reader", "--json").out())
                .get("tables");
    assertThat(
            GatewayHarness.eventually(
                () ->
                    read.call().path("used.u.events").path("requests").asLong() == 2
                        && read.call().has("(file downloads)")))
        .isTrue();
    JsonNode usage = read.call();
    JsonNode events = usage.get("used.u.events");
    assertThat(events.get("requests").asLong()).isEqualTo(2);
    assertThat(events.get("files").asLong()).isEqualTo(files.size());
    assertThat(events.get("bytes").asLong()).isGreaterThanOrEqualTo(q.body().length);
    assertThat(usage.get("(file downloads)").get("bytes").asLong())
        .isEqualTo(download.body().length);
    assertThat(cli("recipient", "usage", "reader").out())
        .contains("used.u.events")
        .contains("2 requests");
    assertThat(cli("recipient", "usage", "nobody").code()).isEqualTo(1);
  }

  @Test
  void shareMetadataSetThroughTheCliIsWhatRecipientsSee() throws Exception {
    Run created =
        cli(
            "share",
            "create",
            "described",
            "--display-name",
            "Sales (EU)",
            "--comment",
            "Daily at 06:00",
            "--property",
            "owner=data-team",
            "--property",
            "tier=gold");
    assertThat(created.code()).as(created.err()).isZero();
    Run token = cli("share", "token", "create", "described", "--json");
    String bearer = GatewayHarness.MAPPER.readTree(token.out()).get("token").asText();
    JsonNode share = gw.get("/shares/described", bearer).json().get("share");
    assertThat(share.get("displayName").asText()).isEqualTo("Sales (EU)");
    assertThat(share.get("comment").asText()).isEqualTo("Daily at 06:00");
    assertThat(share.get("properties").get("owner").asText()).isEqualTo("data-team");
    assertThat(gw.get("/shares", bearer).json().get("items").get(0).get("displayName").asText())
        .isEqualTo("Sales (EU)");
    // update: one property replaced, one removed, the rest kept
    Run updated =
        cli(
            "share",
            "update",
            "described",
            "--property",
            "tier=silver",
            "--remove-property",
            "owner",
            "--comment",
            "Hourly");
    assertThat(updated.code()).as(updated.err()).isZero();
    share = gw.get("/shares/described", bearer).json().get("share");
    assertThat(share.get("comment").asText()).isEqualTo("Hourly");
    assertThat(share.get("displayName").asText()).isEqualTo("Sales (EU)");
    assertThat(share.get("properties").toString()).isEqualTo("{\"tier\":\"silver\"}");
    assertThat(cli("share", "info", "described").out())
        .contains("display name: Sales (EU)")
        .contains("property tier = silver");
    // the protocol's limits: refused clearly, nothing changed
    Run tooLong = cli("share", "update", "described", "--display-name", "x".repeat(256));
    assertThat(tooLong.code()).isEqualTo(1);
    assertThat(tooLong.err()).contains("displayName is longer than 255 characters");
    assertThat(gw.get("/shares/described", bearer).json().get("share").get("displayName").asText())
        .isEqualTo("Sales (EU)");
    String[] many = new String[3 + 2 * 51];
    many[0] = "share";
    many[1] = "update";
    many[2] = "described";
    for (int i = 0; i < 51; i++) {
      many[3 + 2 * i] = "--property";
      many[4 + 2 * i] = "k" + i + "=v";
    }
    assertThat(cli(many).err()).contains("more than 50 entries");
  }

  @Test
  void recipientsHoldSharesAndTheirTokensFollowGrants() throws Exception {
    assertThat(cli("share", "create", "hr").code()).isZero();
    assertThat(
            cli(
                    "share",
                    "update",
                    "hr",
                    "--add-table",
                    "people.events=" + dir.resolve("events").toUri())
                .code())
        .isZero();
    assertThat(cli("recipient", "create", "globex").code()).isZero();
    JsonNode t =
        GatewayHarness.MAPPER.readTree(
            cli("recipient", "token", "create", "globex", "--json").out());
    String bearer = t.get("token").asText();
    assertThat(gw.get("/shares/hr", bearer).status()).isEqualTo(404);
    assertThat(cli("recipient", "grant", "globex", "hr").out())
        .contains("globex now reads [\"hr\"]");
    assertThat(gw.get("/shares/hr", bearer).status()).isEqualTo(200);
    assertThat(cli("recipient", "remove", "globex").out()).contains("tokens revoked: 1");
    assertThat(gw.get("/shares/hr", bearer).status()).isEqualTo(401);
  }

  @Test
  void mistakesAreClearErrorsWithExitCodes() {
    Run unknown = cli("share", "explode");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown command 'share explode'").contains("Usage:");
    Run refused = cli("share", "info", "nope");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("error: ").contains("RESOURCE_DOES_NOT_EXIST");
    Run badDuration = cli("share", "token", "create", "nope", "--expires-in", "soon");
    assertThat(badDuration.code()).isEqualTo(2);
    assertThat(badDuration.err()).contains("not a duration");
    Run noServer = new CliRunner().run("http://127.0.0.1:1", "share", "list");
    assertThat(noServer.code()).isEqualTo(1);
    assertThat(noServer.err()).contains("cannot reach the admin API");
  }

  static final class CliRunner {
    Run run(String url, String... args) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code =
          new Cli(
                  new PrintStream(out, true, StandardCharsets.UTF_8),
                  new PrintStream(err, true, StandardCharsets.UTF_8),
                  Map.of("TABLEGATE_ADMIN_URL", url, "TABLEGATE_ADMIN_TOKEN", ADMIN))
              .execute(args);
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }
}
