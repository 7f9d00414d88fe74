package io.gatehouse.server.internal;

import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.certificates.CertificateInfo;
import io.gatehouse.control.certificates.CertificateMaterial;
import io.gatehouse.control.certificates.CertificateStore;
import io.gatehouse.control.secrets.Secrets;
import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.TlsCertificate;
import io.gatehouse.insight.advisor.RuntimeFacts;
import io.gatehouse.model.ConfigException;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the uploaded certificates to a running server: hands them to the gateway at start and
 * after every upload or deletion (server certificates served at once, backends recompiled), checks
 * backend references before a configuration is committed, and warns about expiry at start and daily.
 */
final class CertificateWiring {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateWiring.class);

  private CertificateWiring() {}

  /** The store's certificates as the gateway takes them (keys decrypted, in memory only). */
  static List<TlsCertificate> forGateway(CertificateStore store) {
    return forGateway(store.material());
  }

  /** {@code material} as the gateway takes it. */
  static List<TlsCertificate> forGateway(List<CertificateMaterial> material) {
    return material.stream().map(CertificateWiring::forGateway).toList();
  }

  private static TlsCertificate forGateway(CertificateMaterial m) {
    return new TlsCertificate(m.name(), TlsCertificate.Usage.valueOf(m.usage().name()), m.chainPem(), m.privateKeyPem());
  }

  /**
   * Serves {@code store}'s certificates on {@code gateway} now and after every change, re-applying
   * the current configuration so that backends pick up replaced client and CA certificates; adds the
   * reference check to {@code plane}; logs expiring certificates now and every day.
   */
  static void install(Vertx vertx, CertificateStore store, ControlPlane plane, Gateway gateway, Secrets secrets)
      throws Exception {
    ServeCommand.await(gateway.certificates(forGateway(store)));
    plane.addValidator(store::problems);
    store.onChange(() -> {
      synchronized (plane) {
        try {
          ServeCommand.await(gateway.certificates(forGateway(store)));
          gateway.apply(secrets.resolved(plane.config()), plane.revision().id());
        } catch (ConfigException e) {
          LOG.error("configuration revision {} does not compile with the changed certificates; backends keep their"
              + " previous TLS settings: {}", plane.revision().id(), e.getMessage());
        } catch (Exception e) {
          LOG.error("cannot serve the changed certificates: {}", e.toString());
        }
      }
    });
    store.warnExpiring();
    vertx.setPeriodic(Duration.ofDays(1).toMillis(), id -> vertx.executeBlocking(store::warnExpiring, false));
  }

  /** The certificates as posture-advisor facts (rule certificate.expiring / certificate.expired). */
  static List<RuntimeFacts.Certificate> facts(CertificateStore store) {
    return store.list().stream().map(CertificateWiring::fact).toList();
  }

  private static RuntimeFacts.Certificate fact(CertificateInfo c) {
    return new RuntimeFacts.Certificate(c.name() + " (" + c.usage().name().toLowerCase(Locale.ROOT) + ")", c.subject(),
        c.notAfter());
  }
}
