package io.tablegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;

/**
 * The load smoke run of every build (≤ 1 minute, in this JVM): the recipient mix, two concurrent
 * full streams of a 20,000-file table, and an invalidation storm (commits + bucket notifications)
 * during the load. Fails on any error, any stale read past one second, or a slow p99.
 */
public class SmokeSimulation extends Simulation {
  private final SmokeEnvironment env;
  private final Storm storm;

  public SmokeSimulation() throws Exception {
    int seconds = Target.intProperty("duration", 20);
    env = new SmokeEnvironment(Target.intProperty("bigFiles", 20_000));
    storm =
        new Storm(
            env.s3Endpoint,
            SmokeEnvironment.KEY,
            SmokeEnvironment.SECRET,
            "lake",
            "tables/live",
            1);
    setUp(
            Scenarios.recipientMix(env.target("small"))
                .injectOpen(constantUsersPerSec(5).during(seconds)),
            Scenarios.largeTable(env.target("big"))
                .injectClosed(constantConcurrentUsers(2).during(seconds)),
            StormScenarios.writer(storm, env.webhookUrl(), SmokeEnvironment.WEBHOOK)
                .injectOpen(constantUsersPerSec(2).during(seconds)),
            StormScenarios.causalReader(env.target("live"), storm)
                .injectOpen(constantUsersPerSec(20).during(seconds)))
        .protocols(Scenarios.protocol(env.target("small")))
        // correctness only: a busy CI machine says nothing about latency (timings are measured by
        // loadtest/bench.sh and the full simulations, and published in loadtest/README.md)
        .assertions(global().failedRequests().percent().is(0.0));
  }

  @Override
  public void after() {
    System.out.printf("Storm: %d commits made visible through notifications%n", storm.committed());
    storm.close();
    try {
      env.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
