package io.tablegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;

/**
 * The recipient mix against a running gateway: {@code mvn -pl loadtest gatling:test
 * -Dgatling.simulation=io.tablegate.loadtest.RecipientMixSimulation -Dprofile=demo.share
 * -Dtable=demo.tpch.orders -Drate=50 -Dduration=60 -Dp99=50}.
 */
public class RecipientMixSimulation extends Simulation {
  public RecipientMixSimulation() {
    Target t = Target.fromProperties("demo.tpch.orders");
    setUp(
            Scenarios.recipientMix(t)
                .injectOpen(
                    constantUsersPerSec(Target.doubleProperty("rate", 20))
                        .during(Target.intProperty("duration", 60))))
        .protocols(Scenarios.protocol(t))
        .assertions(
            global().failedRequests().percent().is(0.0),
            global().responseTime().percentile(99.0).lt(Target.intProperty("p99", 200)));
  }
}
