package io.tablegate.app;

import io.tablegate.config.ConfigException;
import io.tablegate.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Command line entry point. */
public final class Main {
  private static final Logger LOGGER = LoggerFactory.getLogger(Main.class);

  private Main() {}

  static void usage(PrintStream out) {
    out.println(
        """
        Usage: java -jar tablegate.jar [options]
               java -jar tablegate.jar share|recipient ...   (administration; see 'share --help')

          --config FILE     start the gateway with this YAML configuration
          --demo [DIR]      write the demo tables to DIR (default ./demo-data) if missing, print a
                            profile file and a curl example, and serve them on localhost:8080
          --port N          override the configured port (0 picks a free port)
          --help            show this help

        Configuration reference: README.md, section "Configuration".""");
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && Cli.isCommand(args[0])) {
      System.exit(Cli.run(args, System.out, System.err));
    }
    Path config = null;
    Path demo = null;
    Integer port = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          usage(System.out);
          return;
        }
        case "--config" -> config = Path.of(value(args, ++i, "--config"));
        case "--demo" ->
            demo =
                (i + 1 < args.length && !args[i + 1].startsWith("--"))
                    ? Path.of(args[++i])
                    : Path.of("demo-data");
        case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
        default -> {
          System.err.println("Unknown option: " + args[i]);
          usage(System.err);
          System.exit(2);
        }
      }
    }
    if (config == null && demo == null) {
      usage(System.err);
      System.exit(2);
    }
    try {
      if (demo != null) config = Demo.prepare(demo, port == null ? 8080 : port);
      ConfigLoader.Loaded loaded = ConfigLoader.load(config);
      loaded.warnings().forEach(w -> LOGGER.atWarn().log(w));
      var cfg = loaded.config();
      if (port != null && demo == null) cfg = Demo.withPort(cfg, port);
      // every listener verticle instance gets an event loop of its own (Vert.x's default pool is 2
      // x cores);
      // Vert.x's own metrics (HTTP server, pools) go to the registry the gateway's /metrics scrapes
      var registry = Telemetry.newRegistry();
      Vertx vertx =
          Vertx.builder()
              .with(
                  new io.vertx.core.VertxOptions()
                      .setEventLoopPoolSize(
                          Math.max(
                              io.vertx.core.VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE,
                              cfg.eventLoops() + 1))
                      // Vert.x's pool, event-bus and client metrics; not its per-request HTTP
                      // server
                      // metrics: the gateway's own (per endpoint) replace them, and they cost ~7%
                      // of a
                      // small cached request's CPU (a meter lookup per request)
                      .setMetricsOptions(
                          new io.vertx.micrometer.MicrometerMetricsOptions()
                              .setEnabled(true)
                              .addDisabledMetricsCategory(
                                  io.vertx.micrometer.MetricsDomain.HTTP_SERVER)))
              .withMetrics(new io.vertx.micrometer.MicrometerMetricsFactory(registry))
              .build();
      var finalCfg = cfg;
      Path demoDir = demo;
      Gateway.start(
              vertx,
              cfg,
              java.time.Clock.systemUTC(),
              java.util.function.UnaryOperator.identity(),
              registry)
          .onSuccess(
              g -> {
                long drainMs = finalCfg.limits().shutdownDrainMs();
                Runnable stop =
                    () -> {
                      int code = 0;
                      try {
                        g.shutdown(java.time.Duration.ofMillis(drainMs))
                            .eventually(vertx::close)
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get(drainMs + 30_000, java.util.concurrent.TimeUnit.MILLISECONDS);
                      } catch (Exception e) {
                        LOGGER
                            .atWarn()
                            .addKeyValue("cause", e.toString())
                            .log("Shutdown did not finish cleanly");
                        code = 1;
                      }
                      System.exit(code);
                    };
                // SIGTERM (Kubernetes, systemd, docker stop) and Ctrl-C: drain, close in order,
                // exit 0
                for (String signal : new String[] {"TERM", "INT"}) {
                  sun.misc.Signal.handle(
                      new sun.misc.Signal(signal),
                      s -> new Thread(stop, "tablegate-shutdown").start());
                }
                if (demoDir != null) Demo.printWelcome(demoDir, g.endpoint(), g.adminPort());
              })
          .onFailure(
              e -> {
                LOGGER.atError().setCause(e).log("Tablegate failed to start");
                vertx.close();
                System.exit(1);
              });
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(1);
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      System.err.println(option + " needs a value");
      System.exit(2);
    }
    return args[i];
  }
}
