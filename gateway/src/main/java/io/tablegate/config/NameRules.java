package io.tablegate.config;

/**
 * The protocol's name rules: at most 255 characters, no space, '/', control characters; '.' only in
 * share names.
 */
public final class NameRules {
  private NameRules() {}

  /** Returns null when {@code name} is valid, otherwise what is wrong with it. */
  public static String check(String name, boolean noDots) {
    if (name.length() > 255) return "is longer than 255 characters";
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == ' ' || c == '/' || c < 0x20 || c == 0x7f)
        return "contains a space, '/' or a control character";
      if (noDots && c == '.') return "contains '.', which schema and table names may not";
    }
    return null;
  }
}
