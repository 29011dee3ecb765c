package io.tablegate.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The composition root's one cleanup list: reverse order, each once, failures do not stop the rest.
 */
class ResourcesTest {
  @Test
  void closesInReverseOrderAwaitingAsyncClosesAndSurvivingFailures() {
    List<String> closed = new CopyOnWriteArrayList<>();
    Resources res = new Resources();
    res.add("a", "a", closed::add);
    Promise<Void> slow = Promise.promise();
    res.addAsync("b", "b", b -> slow.future().onSuccess(v -> closed.add(b)));
    res.add(
        "c",
        "c",
        c -> {
          throw new IllegalStateException("c cannot close");
        });
    res.addAsync("d", "d", d -> Future.failedFuture("d failed"));
    res.add("e", "e", closed::add);
    // When
    Future<Void> done = res.closeAll();
    // Then: e first; a waits for b's asynchronous close; c and d failing stop nothing
    assertThat(closed).containsExactly("e");
    assertThat(done.isComplete()).isFalse();
    slow.complete();
    assertThat(done.succeeded()).isTrue();
    assertThat(closed).containsExactly("e", "b", "a");
    // each once
    assertThat(res.closeAll().succeeded()).isTrue();
    assertThat(closed).containsExactly("e", "b", "a");
  }
}
