package io.tablegate.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a simulation sends its load, from system properties: {@code -Dprofile=FILE} (a Delta
 * Sharing profile: endpoint and bearer token) or {@code -Durl=... -Dtoken=...}; {@code
 * -Dtable=share.schema.table}; {@code -Dduration=SECONDS}; {@code -Drate=USERS_PER_SECOND}; {@code
 * -Dconcurrency=N}; {@code -Dp99=MILLIS}.
 */
record Target(String url, String token, String share, String schema, String table) {
  static Target fromProperties(String defaultTable) {
    String url = System.getProperty("url");
    String token = System.getProperty("token");
    String profile = System.getProperty("profile");
    if (profile != null) {
      try {
        JsonNode p = new ObjectMapper().readTree(Files.readString(Path.of(profile)));
        url = p.path("endpoint").asText();
        token = p.path("bearerToken").asText();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read the profile " + profile, e);
      }
    }
    if (url == null)
      throw new IllegalArgumentException(
          "Give -Dprofile=FILE or -Durl=ENDPOINT (and -Dtoken=TOKEN)");
    String[] t = System.getProperty("table", defaultTable).split("\\.");
    if (t.length != 3) throw new IllegalArgumentException("-Dtable must be share.schema.table");
    return new Target(url.replaceAll("/+$", ""), token, t[0], t[1], t[2]);
  }

  String tablePath() {
    return "/shares/" + share + "/schemas/" + schema + "/tables/" + table;
  }

  static int intProperty(String name, int dflt) {
    return Integer.parseInt(System.getProperty(name, Integer.toString(dflt)));
  }

  static double doubleProperty(String name, double dflt) {
    return Double.parseDouble(System.getProperty(name, Double.toString(dflt)));
  }
}
