package io.credence.indexer.api;

import java.util.List;

/**
 * One page of a list, in ascending order of its key.
 *
 * @param items this page
 * @param next the cursor of the next page (pass it as {@code after}), or null on the last page
 */
public record Page<T>(List<T> items, String next) {
  static <T> Page<T> of(List<T> items, int limit, java.util.function.Function<T, String> key) {
    return new Page<>(items, items.size() < limit ? null : key.apply(items.get(items.size() - 1)));
  }
}
