package io.gatehouse.policy;

import java.util.Map;

/**
 * Creates a policy from its configuration when a configuration snapshot is compiled; found with
 * {@link java.util.ServiceLoader}, keyed by {@link #name()}.
 *
 * <p>A factory runs once per snapshot, never per request. It reports bad configuration by throwing
 * {@link PolicyConfigException} naming the field.
 */
public interface PolicyFactory {

  /** The policy's name as written in configuration, for example {@code set-header}. */
  String name();

  /**
   * Returns a {@link Policy} or a {@link SyncPolicy} built from {@code config}, the policy's
   * configuration as parsed from YAML or JSON (maps, lists, strings, numbers and booleans).
   */
  Object create(Map<String, Object> config);
}
