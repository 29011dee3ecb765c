package io.tablegate.http;

import io.tablegate.protocol.SharingErrors;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/** Typed query-string parameters; bad values become protocol errors naming the parameter. */
public final class Params {
  private Params() {}

  public static String string(RoutingContext ctx, String name) {
    String v = query(ctx, name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** A query parameter as sent (its percent-encoding was checked by {@link RequestGuard}). */
  static String query(RoutingContext ctx, String name) {
    return ctx.request().getParam(name);
  }

  public static Integer integer(RoutingContext ctx, String name) {
    String v = string(ctx, name);
    if (v == null) return null;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw SharingErrors.invalidParameter(
          "Invalid '"
              + name
              + "': expected a number but the string didn't have the appropriate format: '"
              + v
              + "'");
    }
  }

  public static Long version(RoutingContext ctx, String name) {
    String v = string(ctx, name);
    if (v == null) return null;
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw SharingErrors.invalidParameter(name + " is not a valid number.");
    }
  }

  static boolean bool(RoutingContext ctx, String name) {
    String v = string(ctx, name);
    if (v == null) return false;
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw SharingErrors.invalidParameter(
              "Invalid '" + name + "': expected true or false, got '" + v + "'");
    };
  }

  static Integer maxFiles(RoutingContext ctx) {
    Integer v = integer(ctx, "maxFiles");
    if (v != null && v <= 0) throw SharingErrors.invalidParameter("maxFiles must be positive.");
    return v;
  }
}
