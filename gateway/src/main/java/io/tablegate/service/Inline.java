package io.tablegate.service;

import java.util.concurrent.Callable;

/**
 * Running a request's table work on the event loop when everything it needs is already in this
 * process's memory, instead of handing it to the worker pool and back (two thread switches that
 * cost more than the work itself for a cached /metadata or /query). While {@link #tryRun} runs, the
 * caching layer only peeks at in-process caches and throws {@link #MISS} rather than load; the
 * caller then runs the same work on the worker pool. The work must be free of side effects until
 * its first cache access (it may run twice).
 */
final class Inline {
  private static final ThreadLocal<java.util.List<Runnable>> ACTIVE = new ThreadLocal<>();

  /** Thrown (without a stack trace) when inline work needs something not in memory. */
  static final RuntimeException MISS = new RuntimeException("not in memory", null, false, false) {};

  private Inline() {}

  static boolean active() {
    return ACTIVE.get() != null;
  }

  /**
   * Runs {@code effect} only if the inline attempt succeeds (e.g. counting a cache hit once, not
   * again on the worker).
   */
  static void onSuccess(Runnable effect) {
    ACTIVE.get().add(effect);
  }

  /**
   * The work's result, or {@code missed} if it needed anything not in memory. Exceptions propagate.
   */
  static <T> T tryRun(Callable<T> work, T missed) throws Exception {
    java.util.List<Runnable> effects = new java.util.ArrayList<>(4);
    ACTIVE.set(effects);
    try {
      T result = work.call();
      effects.forEach(Runnable::run);
      return result;
    } catch (RuntimeException e) {
      if (e == MISS) return missed;
      throw e;
    } finally {
      ACTIVE.remove();
    }
  }
}
