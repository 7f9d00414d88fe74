package io.gatehouse.gateway.internal.policy;

import io.gatehouse.gateway.internal.policy.builtin.Builtins;
import io.gatehouse.policy.PolicyFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy factories by name: the built-in catalogue plus every {@link PolicyFactory} found with
 * {@link ServiceLoader} (bound to its configuration record); a custom factory may not take a
 * built-in name.
 */
public final class PolicyRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyRegistry.class);
  private static volatile PolicyRegistry standard;

  private final Map<String, BuiltinPolicyFactory> factories;

  private PolicyRegistry(Map<String, BuiltinPolicyFactory> factories) {
    this.factories = Map.copyOf(factories);
  }

  /** The built-ins plus the factories visible to this class's class loader, loaded once. */
  public static PolicyRegistry standard() {
    PolicyRegistry r = standard;
    if (r == null) {
      synchronized (PolicyRegistry.class) {
        r = standard;
        if (r == null) {
          r = load(PolicyRegistry.class.getClassLoader());
          standard = r;
        }
      }
    }
    return r;
  }

  static PolicyRegistry load(ClassLoader loader) {
    Map<String, BuiltinPolicyFactory> all = new HashMap<>();
    for (BuiltinPolicyFactory f : Builtins.all()) {
      all.put(f.name(), f);
    }
    @SuppressWarnings("rawtypes")
    ServiceLoader<PolicyFactory> found = ServiceLoader.load(PolicyFactory.class, loader);
    for (PolicyFactory<?> f : found) {
      if (f.configType() == null || !f.configType().isRecord()) {
        LOG.warn("ignoring policy factory {} for '{}': its configType() is not a record", f.getClass().getName(), f.name());
        continue;
      }
      BuiltinPolicyFactory previous = all.putIfAbsent(f.name(), new PluginPolicyFactory<>(f));
      if (previous != null) {
        LOG.warn("ignoring policy factory {} for '{}': the name is taken by {}",
            f.getClass().getName(), f.name(), previous instanceof PluginPolicyFactory<?> p
                ? p.implementation() : previous.getClass().getName());
      }
    }
    return new PolicyRegistry(all);
  }

  /** The factory named {@code name}, or {@code null}. */
  public BuiltinPolicyFactory get(String name) {
    return factories.get(name);
  }

  /** Every registered name, sorted. */
  public Set<String> names() {
    return new TreeSet<>(factories.keySet());
  }
}
