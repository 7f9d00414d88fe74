package io.gatehouse.policy;

/**
 * Creates a policy from its typed configuration when a configuration snapshot is compiled; found
 * with {@link java.util.ServiceLoader}, keyed by {@link #name()}.
 *
 * <p>A factory declares its configuration as a record ({@link #configType()}); the gateway binds
 * the policy's YAML or JSON to it, refusing unknown fields, missing {@link Required} fields and
 * values of the wrong type with the file, line and field, and hands the record to
 * {@link #create}. Components are named in camelCase and may be written in configuration either
 * {@code camelCase} or {@code kebab-case}. Supported component types: {@code String}, {@code int},
 * {@code long}, {@code boolean}, {@code double} (and their boxes), {@link java.time.Duration}
 * ({@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d}), enums (written in any case,
 * {@code -} for {@code _}), nested records, {@code List} and {@code Map<String, V>} of those. An
 * absent component is {@code null} (or zero, {@code false} for primitives), so a compact
 * constructor can give defaults and check values, throwing {@link PolicyConfigException}.
 *
 * <p>A factory runs once per snapshot, never per request.
 *
 * @param <C> the configuration record
 */
public interface PolicyFactory<C extends Record> {

  /** The policy's name as written in configuration, for example {@code set-header}. */
  String name();

  /** The record the policy's configuration is bound to. */
  Class<C> configType();

  /**
   * Builds the policy configured with {@code config} in {@code scope}: a {@link SyncPolicy} when it
   * never waits for I/O (preferred), else a {@link Policy}.
   */
  Policy create(C config, PolicyScope scope);
}
