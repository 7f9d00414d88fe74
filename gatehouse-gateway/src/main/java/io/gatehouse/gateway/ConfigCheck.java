package io.gatehouse.gateway;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.internal.Snapshot;
import io.gatehouse.gateway.internal.counters.CounterStore;
import io.gatehouse.gateway.internal.counters.PolicyStates;
import io.gatehouse.gateway.internal.upstream.Upstreams;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.NamedValueDef;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Says whether a configuration compiles into a gateway snapshot (routes, backends, every policy
 * through the gateway's own policy registry), returning the problems without starting anything:
 * the one compile check of {@code apply}, {@code advise}, {@code validate}, file mode and the
 * management API. It checks what the model's validator cannot; run it on a configuration the
 * model accepts.
 */
public final class ConfigCheck {
  private ConfigCheck() {}

  /**
   * The problems that would stop {@code config} (with secrets unsealed and references resolved)
   * from compiling with the uploaded {@code certificates}; empty when it would compile.
   */
  public static List<ConfigProblem> problems(GatewayConfig config, Collection<TlsCertificate> certificates) {
    requireNonNull(config, "config");
    Map<String, TlsCertificate> byName = new HashMap<>();
    certificates.forEach(c -> byName.put(c.name(), c));
    try {
      Snapshot.compile(config, 0, new Upstreams(), CounterStore.inMemory(), new PolicyStates(), byName);
      return List.of();
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  /**
   * The problems that would stop {@code config} from compiling, checked where its secrets and
   * uploaded certificates are not available (a file on a CI runner): a named value without a value
   * (sealed, a reference) compiles as its own placeholder {@code ${nv:NAME}}, and certificate names
   * are not checked. Problems that depend on those values are the caller's to leave out.
   */
  public static List<ConfigProblem> offline(GatewayConfig config) {
    requireNonNull(config, "config");
    List<NamedValueDef> standIns = config.namedValues().stream()
        .map(nv -> nv.value() != null ? nv
            : new NamedValueDef(nv.name(), nv.type(), "${nv:" + nv.name() + "}", nv.ref(), nv.sealed()))
        .toList();
    return problems(config.withNamedValues(standIns), List.of()).stream()
        .filter(p -> !p.field().endsWith(".tls.clientCertificate") && !p.field().endsWith(".tls.caCertificate"))
        .toList();
  }
}
