package io.gatehouse.gateway.internal.policy;

import io.gatehouse.policy.Headers;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Set;

/** {@link Headers} over a Vert.x {@link MultiMap}, which is case-insensitive already. */
public final class MultiMapHeaders implements Headers {
  private final MultiMap map;

  public MultiMapHeaders(MultiMap map) {
    this.map = map;
  }

  /** The underlying map. */
  public MultiMap map() {
    return map;
  }

  @Override
  public String get(String name) {
    return map.get(name);
  }

  @Override
  public List<String> getAll(String name) {
    return map.getAll(name);
  }

  @Override
  public boolean contains(String name) {
    return map.contains(name);
  }

  @Override
  public Headers set(String name, String value) {
    map.set(name, value);
    return this;
  }

  @Override
  public Headers add(String name, String value) {
    map.add(name, value);
    return this;
  }

  @Override
  public Headers remove(String name) {
    map.remove(name);
    return this;
  }

  @Override
  public Set<String> names() {
    return map.names();
  }
}
