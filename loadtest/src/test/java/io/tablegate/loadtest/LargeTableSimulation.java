package io.tablegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;

/**
 * Concurrent full {@code /query} streams of a large table (e.g. the generator's 1M-file table):
 * {@code -Dtable=big.t.files1m -Dconcurrency=4 -Dduration=120 -DmaxMs=30000}. Fails on any error or
 * a stream slower than {@code maxMs} (the reference server's 30 s timeout by default).
 */
public class LargeTableSimulation extends Simulation {
  public LargeTableSimulation() {
    Target t = Target.fromProperties("big.t.files1m");
    setUp(
            Scenarios.largeTable(t)
                .injectClosed(
                    constantConcurrentUsers(Target.intProperty("concurrency", 4))
                        .during(Target.intProperty("duration", 120))))
        .protocols(Scenarios.protocol(t).warmUp(t.url() + "/shares"))
        .assertions(
            global().failedRequests().percent().is(0.0),
            global().responseTime().max().lt(Target.intProperty("maxMs", 30_000)));
  }
}
