package io.gatehouse.gateway.internal.upstream;

import io.gatehouse.gateway.internal.outbound.OutboundGuard;
import io.gatehouse.model.BackendDef;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registry of backend runtimes across reloads: a backend whose resolved definition (and the
 * default timeout) is unchanged gets the same {@link Upstream}, so health, ejections and breaker
 * state survive a reload; runtimes no snapshot uses any more are closed on {@link #retain}.
 */
public final class Upstreams {
  private record Key(BackendDef def, Duration defaultTimeout, BackendMaterial material) {}

  private final Vertx vertx;
  private final OutboundGuard guard;
  private final Map<Key, Upstream> live = new HashMap<>();

  // One guard for every compile-only check, so that what is cached by guard (JWT validators) is shared.
  private static final OutboundGuard COMPILE_ONLY = OutboundGuard.create(null, List.of());

  /** A compile-only registry: its upstreams never connect. */
  public Upstreams() {
    this(null, COMPILE_ONLY);
  }

  /** A registry whose upstreams run on {@code vertx} and connect only where {@code guard} allows. */
  public Upstreams(Vertx vertx, OutboundGuard guard) {
    this.vertx = vertx;
    this.guard = java.util.Objects.requireNonNull(guard, "guard");
  }

  /** The guard every outbound call of this gateway passes. */
  public OutboundGuard guard() {
    return guard;
  }

  /**
   * The runtime for {@code def} (URLs already resolved), reused when an equal definition is live.
   *
   * @throws IllegalArgumentException when the definition cannot be compiled (bad URL, TLS files)
   */
  public Upstream obtain(BackendDef def, Duration defaultTimeout) {
    return obtain(def, defaultTimeout, BackendMaterial.NONE);
  }

  /**
   * The runtime for {@code def} with the uploaded certificates {@code material} its TLS names,
   * reused when an equal definition with equal material is live.
   *
   * @throws IllegalArgumentException when the definition cannot be compiled (bad URL, TLS files)
   */
  public synchronized Upstream obtain(BackendDef def, Duration defaultTimeout, BackendMaterial material) {
    Key key = new Key(def, defaultTimeout, material);
    Upstream u = live.get(key);
    if (u == null) {
      u = new Upstream(def, defaultTimeout, material, guard);
      if (vertx != null) {
        live.put(key, u);
      }
    }
    return u;
  }

  /** Activates {@code used} and closes every other runtime. */
  public synchronized void retain(Collection<Upstream> used) {
    Set<Upstream> keep = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    keep.addAll(used);
    for (Iterator<Upstream> it = live.values().iterator(); it.hasNext(); ) {
      Upstream u = it.next();
      if (keep.contains(u)) {
        if (vertx != null) {
          u.activate(vertx);
        }
      } else {
        u.close();
        it.remove();
      }
    }
  }

  /** Closes every runtime. */
  public synchronized void close() {
    retain(List.of());
  }
}
