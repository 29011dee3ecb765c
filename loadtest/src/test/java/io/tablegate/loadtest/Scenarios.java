package io.tablegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.bodyLength;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;

/** The scenarios every simulation is made of, as the Python and Spark clients call the protocol. */
final class Scenarios {
  private Scenarios() {}

  static HttpProtocolBuilder protocol(Target t) {
    HttpProtocolBuilder p =
        http.baseUrl(t.url())
            .acceptHeader("application/json; charset=utf-8")
            .contentTypeHeader("application/json; charset=utf-8")
            .userAgentHeader("Delta-Sharing-Spark/3.3 Gatling")
            .disableCaching()
            .shareConnections();
    return t.token() == null ? p : p.authorizationHeader("Bearer " + t.token());
  }

  /**
   * A recipient: discover (shares, schemas, tables), read metadata, query with a refresh token (as
   * Spark does), re-query with it, then poll the version a few times.
   */
  static ScenarioBuilder recipientMix(Target t) {
    String tp = t.tablePath();
    ChainBuilder discover =
        exec(
            http("list shares")
                .get("/shares")
                .check(status().is(200), jsonPath("$.items[*].name").findAll().exists()),
            http("list schemas").get("/shares/" + t.share() + "/schemas").check(status().is(200)),
            http("list tables")
                .get("/shares/" + t.share() + "/schemas/" + t.schema() + "/tables")
                .check(status().is(200)),
            http("metadata")
                .get(tp + "/metadata")
                .check(status().is(200), header("Delta-Table-Version").exists()));
    ChainBuilder query =
        exec(
            http("query + refresh token")
                .post(tp + "/query")
                .header("delta-sharing-capabilities", "includeendstreamaction=true")
                .body(StringBody("{\"includeRefreshToken\": true}"))
                .check(
                    status().is(200),
                    regex("\"refreshToken\":\"([^\"]+)\"").saveAs("refreshToken")),
            http("re-query with refresh token")
                .post(tp + "/query")
                .header("delta-sharing-capabilities", "includeendstreamaction=true")
                .body(StringBody("{\"refreshToken\": \"#{refreshToken}\"}"))
                .check(status().is(200), bodyLength().gt(100)));
    ChainBuilder poll =
        repeat(3)
            .on(
                http("version poll")
                    .get(tp + "/version")
                    .check(status().is(200), header("Delta-Table-Version").exists()));
    return scenario("recipient mix").exec(discover, query, poll);
  }

  /**
   * Full /query streams of one (large) table; only the status and length are checked, bodies are
   * not kept.
   */
  static ScenarioBuilder largeTable(Target t) {
    return scenario("large-table stream")
        .exec(
            http("full query")
                .post(t.tablePath() + "/query")
                .body(StringBody("{}"))
                .check(status().is(200), bodyLength().gt(1000)));
  }
}
