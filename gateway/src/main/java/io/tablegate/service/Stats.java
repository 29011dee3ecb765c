package io.tablegate.service;

/** Cheap reads from a Delta stats JSON string without parsing all of it. */
final class Stats {
  private Stats() {}

  /**
   * {@code numRecords}, or 0 when the file has no stats (such files do not count toward a limit).
   */
  static long numRecords(String stats) {
    if (stats == null) return 0;
    int i = stats.indexOf("\"numRecords\"");
    if (i < 0) return 0;
    i = stats.indexOf(':', i) + 1;
    while (i < stats.length() && Character.isWhitespace(stats.charAt(i))) i++;
    long v = 0;
    boolean any = false;
    while (i < stats.length() && Character.isDigit(stats.charAt(i))) {
      v = v * 10 + (stats.charAt(i++) - '0');
      any = true;
    }
    return any ? v : 0;
  }
}
