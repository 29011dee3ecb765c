package io.tablegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;

/**
 * The invalidation storm: one writer commits and sends bucket notifications while readers check
 * freshness.
 */
final class StormScenarios {
  private StormScenarios() {}

  /** Commits a version and posts its notification to the gateway's webhook. */
  static ScenarioBuilder writer(Storm storm, String webhookUrl, String webhookToken) {
    // -DstormWithoutNotifications=true proves the freshness check can fail: readers then see stale
    // versions
    if (Boolean.getBoolean("stormWithoutNotifications")) {
      return scenario("storm: commit + notification")
          .exec(session -> session.set("key", storm.commit()));
    }
    return scenario("storm: commit + notification")
        .exec(
            session -> {
              try {
                return session.set("key", storm.commit());
              } catch (RuntimeException e) {
                System.err.println("STORM COMMIT FAILED: " + e);
                e.printStackTrace();
                return session.markAsFailed();
              }
            })
        .exec(
            http("bucket notification")
                .post(webhookUrl)
                .header("Authorization", "Bearer " + webhookToken)
                .body(StringBody(session -> storm.event(session.getString("key"))))
                .check(status().is(200)))
        .exec(
            session -> {
              if (!session.isFailed()) storm.acknowledge(session.getString("key"));
              return session;
            });
  }

  /**
   * Reads the table's version: it must be at least the newest version whose notification the
   * gateway had acknowledged when the request started. No clock is involved, so it holds on a
   * loaded machine.
   */
  static ScenarioBuilder causalReader(Target t, Storm storm) {
    return scenario("storm: readers")
        .exec(session -> session.set("floor", storm.acknowledgedFloor()))
        .exec(
            http("fresh version")
                .get(t.tablePath() + "/version")
                .check(
                    status().is(200),
                    header("Delta-Table-Version")
                        .transformWithSession(
                            (v, session) -> Long.parseLong(v) >= session.getLong("floor"))
                        .is(true)));
  }

  /**
   * Reads the table's version: it must be at least the newest version committed {@code boundMs}
   * before the request started (a stale read past the bound fails the request).
   */
  static ScenarioBuilder reader(Target t, Storm storm, long boundMs) {
    return scenario("storm: readers")
        .exec(session -> session.set("floor", storm.floor(boundMs)))
        .exec(
            http("fresh version")
                .get(t.tablePath() + "/version")
                .check(
                    status().is(200),
                    header("Delta-Table-Version")
                        .transformWithSession(
                            (v, session) -> Long.parseLong(v) >= session.getLong("floor"))
                        .is(true)));
  }
}
