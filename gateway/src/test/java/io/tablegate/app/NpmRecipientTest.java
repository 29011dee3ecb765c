package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tablegate.testing.GatewayHarness;
import io.tablegate.testing.Python;
import io.tablegate.testing.TestTables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The npm Delta Sharing client (delta-sharing 0.0.2's REST client, installed by {@code
 * scripts/npm-env.sh} into {@code target/npm}) as a recipient: {@code testing/npm/recipient.js}
 * lists shares, schemas and tables, reads a partitioned table's metadata and file list, and
 * downloads every file through its URL.
 */
class NpmRecipientTest {
  static final String TOKEN = "npm-recipient-token-0123456";
  @TempDir Path dir;

  @Test
  void theNpmClientListsReadsMetadataAndDownloadsEveryFile() throws Exception {
    // Given
    TestTables.writeHistoryTable(dir.resolve("events"));
    try (GatewayHarness gw =
        GatewayHarness.start(
            """
        version: 1
        host: 127.0.0.1
        port: 0
        authorization:
          tokens:
            - {id: npm, token: %s, shares: [npm]}
        shares:
          - name: npm
            schemas:
              - name: s
                tables:
                  - {name: events, location: events}
          - name: hidden
            schemas: []
        """
                .formatted(TOKEN),
            dir)) {
      Path profile = dir.resolve("npm.share");
      Files.writeString(
          profile,
          "{\"shareCredentialsVersion\": 1, \"endpoint\": \""
              + gw.endpoint()
              + "\", \"bearerToken\": \""
              + TOKEN
              + "\"}");
      long filesServed =
          gw.post("/shares/npm/schemas/s/tables/events/query", TOKEN, "{}").lines().stream()
              .filter(l -> l.has("file"))
              .count();
      // When
      JsonNode out = node(profile, "npm", "s", "events");
      // Then
      assertThat(out.get("shares").toString()).isEqualTo("[\"npm\"]");
      assertThat(out.get("schemas").toString()).isEqualTo("[\"s\"]");
      assertThat(out.get("tables").toString()).isEqualTo("[\"events\"]");
      assertThat(out.get("allTables").toString()).isEqualTo("[\"npm.s.events\"]");
      assertThat(out.get("minReaderVersion").asInt()).isEqualTo(1);
      assertThat(out.get("schemaString").asText())
          .contains("\"name\":\"id\"")
          .contains("\"name\":\"day\"");
      assertThat(out.get("partitionColumns").toString()).isEqualTo("[\"day\"]");
      assertThat(out.get("files")).hasSize((int) filesServed).isNotEmpty();
      for (JsonNode f : out.get("files")) {
        assertThat(f.get("downloaded").asLong()).isEqualTo(f.get("size").asLong());
        assertThat(f.get("magic").asText()).isEqualTo("PAR1PAR1");
        assertThat(f.get("partitionValues").has("day")).isTrue();
      }
    }
  }

  static JsonNode node(Path profile, String... table) throws Exception {
    Path modules = Python.repository().resolve("target/npm/node_modules");
    if (!Files.exists(modules.resolve("delta-sharing/rest-client.js"))) {
      throw new IllegalStateException(
          "The npm client is missing: run scripts/npm-env.sh (scripts/test.sh does)");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "node",
                Python.repository().resolve("testing/npm/recipient.js").toString(),
                profile.toString()));
    command.addAll(List.of(table));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("NODE_PATH", modules.toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0)
      throw new IllegalStateException("recipient.js failed:\n" + output);
    String last = output.strip().substring(output.strip().lastIndexOf('\n') + 1);
    return GatewayHarness.MAPPER.readTree(last);
  }
}
