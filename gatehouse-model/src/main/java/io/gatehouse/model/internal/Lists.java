package io.gatehouse.model.internal;

import java.util.List;
import java.util.Map;

/** Null-tolerant immutable copies for record constructors. */
public final class Lists {
  private Lists() {}

  /** An immutable copy of {@code list}, empty for {@code null}. */
  public static <T> List<T> copy(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  /** An immutable copy of {@code map}, empty for {@code null}. */
  public static <K, V> Map<K, V> copy(Map<K, V> map) {
    return map == null ? Map.of() : Map.copyOf(map);
  }
}
