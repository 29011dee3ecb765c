package io.tablegate.protocol;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code delta-sharing-capabilities} request header: {@code key=v1,v2;key2=v}. Keys and values
 * are case-insensitive; malformed parts are ignored, as the reference server does.
 *
 * @param responseFormats the formats the client accepts, in its order of preference
 * @param readerFeatures lower-cased Delta reader feature names the client can handle
 */
public record Capabilities(
    Set<ResponseFormat> responseFormats,
    Set<String> readerFeatures,
    boolean includeEndStreamAction,
    boolean asyncQuery) {

  public static Capabilities parse(String header) {
    Set<ResponseFormat> formats = new LinkedHashSet<>();
    Set<String> features = new LinkedHashSet<>();
    boolean endStream = false;
    boolean async = false;
    if (header != null) {
      for (String part : header.toLowerCase(Locale.ROOT).split(";")) {
        int eq = part.indexOf('=');
        if (eq <= 0) continue;
        String key = part.substring(0, eq).trim();
        String value = part.substring(eq + 1).trim();
        switch (key) {
          case "responseformat" -> {
            for (String v : value.split(",")) {
              switch (v.trim()) {
                case "parquet" -> formats.add(ResponseFormat.PARQUET);
                case "delta" -> formats.add(ResponseFormat.DELTA);
                default ->
                    throw SharingErrors.invalidParameter(
                        "Invalid responseformat '"
                            + v.trim()
                            + "' in delta-sharing-capabilities: expected parquet or delta");
              }
            }
          }
          case "readerfeatures" -> {
            for (String v : value.split(",")) if (!v.isBlank()) features.add(v.trim());
          }
          case "includeendstreamaction" -> endStream = value.equals("true");
          case "asyncquery" -> async = value.equals("true");
          default -> {}
        }
      }
    }
    if (formats.isEmpty()) formats = EnumSet.of(ResponseFormat.PARQUET);
    return new Capabilities(
        java.util.Collections.unmodifiableSet(formats), Set.copyOf(features), endStream, async);
  }

  public boolean hasReaderFeature(String feature) {
    return readerFeatures.contains(feature.toLowerCase(Locale.ROOT));
  }
}
