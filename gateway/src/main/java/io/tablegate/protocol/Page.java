package io.tablegate.protocol;

import java.util.List;

/** One page of a listing; {@code nextPageToken} is null on the last page (never empty). */
public record Page<T>(List<T> items, String nextPageToken) {
  public Page {
    items = List.copyOf(items);
    if (nextPageToken != null && nextPageToken.isEmpty()) nextPageToken = null;
  }
}
