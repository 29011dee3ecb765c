package io.tablegate.storage;

import io.tablegate.spi.ObjectStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds the object store of a location: the store of the table whose root is its longest prefix.
 */
public final class StoreRouter {
  private record Route(String prefix, ObjectStore store) {}

  private volatile List<Route> routes = List.of();

  /**
   * Adds a table root (again: no-op); safe while other threads route (tables added at run time).
   */
  public synchronized StoreRouter add(String tableRoot, ObjectStore store) {
    String prefix =
        tableRoot.endsWith("/") ? tableRoot.substring(0, tableRoot.length() - 1) : tableRoot;
    Route route = new Route(prefix, store);
    if (routes.contains(route)) return this;
    List<Route> next = new ArrayList<>(routes);
    next.add(route);
    next.sort(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed());
    routes = List.copyOf(next);
    return this;
  }

  /** The store for {@code location}, or null for locations under no s3 table (local files). */
  public ObjectStore forLocation(String location) {
    String l = location.startsWith("s3a://") ? "s3://" + location.substring(6) : location;
    for (Route r : routes) {
      if (l.equals(r.prefix()) || l.startsWith(r.prefix() + "/")) return r.store();
    }
    return null;
  }
}
