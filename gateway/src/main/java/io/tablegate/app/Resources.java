package io.tablegate.app;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a gateway has opened, in the order it opened it: {@link #closeAll} closes everything in
 * reverse, each once, one after the other (asynchronous closes are awaited), and a close that fails
 * is logged and does not stop the others. The one list for both a failed start and a shutdown.
 */
final class Resources {
  private static final Logger LOGGER = LoggerFactory.getLogger(Resources.class);

  private record Closer(String name, Supplier<Future<?>> close) {}

  private final Deque<Closer> opened = new ArrayDeque<>();

  /** Registers {@code resource}, closed by {@code close}; returns it. */
  synchronized <T> T add(String name, T resource, Consumer<? super T> close) {
    opened.push(
        new Closer(
            name,
            () -> {
              close.accept(resource);
              return Future.succeededFuture();
            }));
    return resource;
  }

  /** Registers {@code resource}, closed asynchronously by {@code close}; returns it. */
  synchronized <T> T addAsync(String name, T resource, Function<? super T, Future<?>> close) {
    opened.push(new Closer(name, () -> close.apply(resource)));
    return resource;
  }

  /** Closes what was registered, last first. */
  Future<Void> closeAll() {
    Future<Void> done = Future.succeededFuture();
    while (true) {
      Closer c;
      synchronized (this) {
        c = opened.poll();
      }
      if (c == null) return done;
      done = done.eventually(() -> close(c));
    }
  }

  private static Future<Void> close(Closer c) {
    try {
      return c.close()
          .get()
          .<Void>mapEmpty()
          .recover(
              e -> {
                LOGGER
                    .atWarn()
                    .addKeyValue("resource", c.name())
                    .addKeyValue("cause", e.toString())
                    .log("Could not close");
                return Future.succeededFuture();
              });
    } catch (RuntimeException e) {
      LOGGER
          .atWarn()
          .addKeyValue("resource", c.name())
          .addKeyValue("cause", e.toString())
          .log("Could not close");
      return Future.succeededFuture();
    }
  }
}
