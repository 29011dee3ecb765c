package io.tablegate.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Simulation;

/**
 * Commits plus bucket notifications during steady reads, against a running gateway whose table
 * lives in S3: {@code -Dtable=s.n.live -Ds3.endpoint=http://minio:9000 -Ds3.accessKey=...
 * -Ds3.secretKey=... -Ds3.bucket=lake -Ds3.prefix=tables/live -Ds3.nextVersion=N
 * -Dwebhook=http://gw:8080/events -DwebhookToken=... -DboundMs=1000}. Fails on any error or a read
 * older than the bound.
 */
public class InvalidationStormSimulation extends Simulation {
  private final Storm storm;

  public InvalidationStormSimulation() {
    Target t = Target.fromProperties("s.n.live");
    storm =
        new Storm(
            System.getProperty("s3.endpoint"),
            System.getProperty("s3.accessKey"),
            System.getProperty("s3.secretKey"),
            System.getProperty("s3.bucket", "lake"),
            System.getProperty("s3.prefix"),
            Long.getLong("s3.nextVersion", 1));
    int seconds = Target.intProperty("duration", 60);
    setUp(
            StormScenarios.writer(
                    storm, System.getProperty("webhook"), System.getProperty("webhookToken"))
                .injectOpen(
                    constantUsersPerSec(Target.doubleProperty("commitRate", 2)).during(seconds)),
            StormScenarios.reader(t, storm, Long.getLong("boundMs", 1000))
                .injectOpen(constantUsersPerSec(Target.doubleProperty("rate", 50)).during(seconds)))
        .protocols(Scenarios.protocol(t))
        .assertions(global().failedRequests().percent().is(0.0));
  }

  @Override
  public void after() {
    storm.close();
  }
}
