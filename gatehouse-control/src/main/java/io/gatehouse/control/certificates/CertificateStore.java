package io.gatehouse.control.certificates;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.certificates.internal.CertificateParser;
import io.gatehouse.control.secrets.MasterKeys;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.GatewayConfig;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uploaded certificates of an instance, in table {@code certificates}: metadata in the clear,
 * private keys as master-key envelopes (AES-256-GCM), decrypted only into {@link CertificateMaterial}
 * for the data plane. Every change is announced to the {@link #onChange} listeners, which hand the new
 * set to the gateway without a restart. Thread-safe; calls block on the database.
 */
public final class CertificateStore {
  /** The shape of a certificate name. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private static final Logger LOG = LoggerFactory.getLogger(CertificateStore.class);
  private static final String COLUMNS = "name, usage, subject, issuer, sans, serial, not_before, not_after, sha256, "
      + "chain_count, private_key IS NOT NULL AS key_stored, updated_at, updated_by";

  private final Jdbi jdbi;
  private final MasterKeys keys;
  private final Clock clock;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Object writeLock = new Object();
  private volatile List<String> seen; // name, hash and time of every certificate at the last look

  /** A store over {@code jdbi} (schema migrated), encrypting keys under {@code keys}. */
  public CertificateStore(Jdbi jdbi, MasterKeys keys, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi");
    this.keys = requireNonNull(keys, "keys");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The clock expiry is judged by. */
  public Clock clock() {
    return clock;
  }

  /**
   * Validates {@code upload} and stores it as {@code name}, replacing a certificate of that name.
   *
   * @return the stored metadata
   * @throws InvalidCertificateException when the name or the upload is invalid (the key never appears in the message)
   */
  public CertificateInfo put(String name, CertificateUpload upload, String author) {
    requireNonNull(upload, "upload");
    checkName(name);
    CertificateParser.Parsed parsed = CertificateParser.parse(upload);
    X509Certificate leaf = parsed.chain().get(0);
    Instant notAfter = parsed.chain().stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
    if (parsed.usage() != CertificateUsage.CA) {
      notAfter = leaf.getNotAfter().toInstant();
    }
    String envelope = parsed.key() == null ? null : keys.encrypt(parsed.keyPem());
    Instant now = clock.instant();
    String sans = String.join(",", sans(leaf));
    String by = author == null ? "" : author;
    long notAfterMillis = notAfter.toEpochMilli();
    synchronized (writeLock) {
      jdbi.useTransaction(h -> {
        h.createUpdate("DELETE FROM certificates WHERE name = :name").bind("name", name).execute();
        h.createUpdate("INSERT INTO certificates (name, usage, chain_pem, private_key, subject, issuer, sans, serial, "
                + "not_before, not_after, sha256, chain_count, updated_at, updated_by) VALUES (:name, :usage, :chain, "
                + ":key, :subject, :issuer, :sans, :serial, :nb, :na, :sha, :count, :at, :by)")
            .bind("name", name)
            .bind("usage", parsed.usage().apiName())
            .bind("chain", parsed.chainPem())
            .bind("key", envelope)
            .bind("subject", leaf.getSubjectX500Principal().getName())
            .bind("issuer", leaf.getIssuerX500Principal().getName())
            .bind("sans", sans)
            .bind("serial", leaf.getSerialNumber().toString(16))
            .bind("nb", leaf.getNotBefore().toInstant().toEpochMilli())
            .bind("na", notAfterMillis)
            .bind("sha", sha256(leaf))
            .bind("count", parsed.chain().size())
            .bind("at", now.toEpochMilli())
            .bind("by", by)
            .execute();
      });
    }
    CertificateInfo info = get(name).orElseThrow();
    LOG.info("certificate '{}' ({}) stored: subject {}, expires {}", name, info.usage().apiName(), info.subject(),
        info.notAfter());
    changed();
    return info;
  }

  /** The metadata of {@code name}. */
  public Optional<CertificateInfo> get(String name) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM certificates WHERE name = :name")
        .bind("name", name).map((rs, ctx) -> info(rs)).findOne());
  }

  /** The metadata of every certificate, by name. */
  public List<CertificateInfo> list() {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM certificates ORDER BY name")
        .map((rs, ctx) -> info(rs)).list());
  }

  /** Deletes {@code name}; whether it existed. */
  public boolean delete(String name) {
    int n;
    synchronized (writeLock) {
      n = jdbi.withHandle(h -> h.createUpdate("DELETE FROM certificates WHERE name = :name").bind("name", name).execute());
    }
    if (n > 0) {
      LOG.info("certificate '{}' deleted", name);
      changed();
    }
    return n > 0;
  }

  /** Every certificate with its key decrypted, for the data plane (in memory only). */
  public List<CertificateMaterial> material() {
    return jdbi.withHandle(h -> h.createQuery("SELECT name, usage, chain_pem, private_key FROM certificates ORDER BY name")
        .map((rs, ctx) -> {
          String enc = rs.getString("private_key");
          return new CertificateMaterial(rs.getString("name"), CertificateUsage.parse(rs.getString("usage")),
              rs.getString("chain_pem"), enc == null ? null : keys.decryptText(enc));
        }).list());
  }

  /** The certificates that expire within {@link CertificateInfo#EXPIRY_WARNING} (or have expired), soonest first. */
  public List<CertificateInfo> expiringSoon() {
    Instant now = clock.instant();
    return list().stream().filter(c -> c.expiringSoon(now))
        .sorted(java.util.Comparator.comparing(CertificateInfo::notAfter)).toList();
  }

  /** Logs a warning for each certificate {@link #expiringSoon}; returns them. */
  public List<CertificateInfo> warnExpiring() {
    Instant now = clock.instant();
    List<CertificateInfo> soon = expiringSoon();
    for (CertificateInfo c : soon) {
      if (c.notAfter().isBefore(now)) {
        LOG.warn("certificate '{}' ({}, {}) EXPIRED at {}", c.name(), c.usage().apiName(), c.subject(), c.notAfter());
      } else {
        LOG.warn("certificate '{}' ({}, {}) expires in {} days, at {}", c.name(), c.usage().apiName(), c.subject(),
            c.expiresInDays(now), c.notAfter());
      }
    }
    return soon;
  }

  /**
   * The problems of {@code config}'s references to uploaded certificates: a backend's
   * {@code tls.clientCertificate} must name a {@code client} certificate and {@code tls.caCertificate}
   * a {@code ca} bundle. Meant for {@code ControlPlane.addValidator}.
   */
  public List<ConfigProblem> problems(GatewayConfig config) {
    List<ConfigProblem> out = new ArrayList<>();
    List<CertificateInfo> all = null;
    for (int i = 0; i < config.backends().size(); i++) {
      BackendDef.Tls tls = config.backends().get(i).tls();
      if (tls == null || (tls.clientCertificate() == null && tls.caCertificate() == null)) {
        continue;
      }
      if (all == null) {
        all = list();
      }
      String at = "backends[" + i + "].tls.";
      reference(out, all, at + "clientCertificate", tls.clientCertificate(), CertificateUsage.CLIENT);
      reference(out, all, at + "caCertificate", tls.caCertificate(), CertificateUsage.CA);
    }
    return out;
  }

  /** The names of {@code config}'s backends whose TLS refers to certificate {@code name}. */
  public static List<String> referencesTo(GatewayConfig config, String name) {
    List<String> out = new ArrayList<>();
    for (BackendDef b : config.backends()) {
      if (b.tls() != null && (name.equals(b.tls().clientCertificate()) || name.equals(b.tls().caCertificate()))) {
        out.add(b.name());
      }
    }
    return out;
  }

  private static void reference(List<ConfigProblem> out, Collection<CertificateInfo> all, String at, String name,
      CertificateUsage usage) {
    if (name == null) {
      return;
    }
    Optional<CertificateInfo> c = all.stream().filter(i -> i.name().equals(name)).findFirst();
    if (c.isEmpty()) {
      out.add(ConfigProblem.at(at, "expected an uploaded certificate of usage '" + usage.apiName()
          + "' but there is no certificate named '" + name + "' (PUT /api/v1/certificates/" + name + ")"));
    } else if (c.get().usage() != usage) {
      out.add(ConfigProblem.at(at, "expected a certificate of usage '" + usage.apiName() + "' but '" + name
          + "' has usage '" + c.get().usage().apiName() + "'"));
    }
  }

  /** Calls {@code listener} after every change (upload, replacement, deletion), on the changing thread. */
  public void onChange(Runnable listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /**
   * Reads the list of certificates again and, when another server sharing the database changed it
   * since the last look, calls the {@link #onChange} listeners; whether it changed. Blocking.
   */
  public boolean checkForChanges() {
    List<String> now = fingerprint();
    List<String> before = seen;
    seen = now;
    if (before == null || before.equals(now)) {
      return false;
    }
    LOG.info("certificates changed through another server; serving the new set");
    notifyListeners();
    return true;
  }

  private List<String> fingerprint() {
    return jdbi.withHandle(h -> h.createQuery("SELECT name, sha256, updated_at FROM certificates ORDER BY name")
        .map((rs, ctx) -> rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getLong(3)).list());
  }

  private void changed() {
    try {
      seen = fingerprint();
    } catch (RuntimeException e) {
      seen = null; // the next look sets it again
    }
    notifyListeners();
  }

  private void notifyListeners() {
    for (Runnable r : listeners) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.error("certificate change listener failed", e);
      }
    }
  }

  /**
   * Checks a certificate name.
   *
   * @throws InvalidCertificateException when it is not 1 to 100 letters, digits, '.', '_' or '-'
   */
  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidCertificateException("name",
          "expected 1 to 100 letters, digits, '.', '_' or '-' (starting with a letter or digit) but got '" + name + "'");
    }
  }

  private static CertificateInfo info(java.sql.ResultSet rs) throws java.sql.SQLException {
    String sans = rs.getString("sans");
    return new CertificateInfo(rs.getString("name"), CertificateUsage.parse(rs.getString("usage")),
        rs.getString("subject"), rs.getString("issuer"),
        sans.isEmpty() ? List.of() : Arrays.asList(sans.split(",")), rs.getString("serial"),
        Instant.ofEpochMilli(rs.getLong("not_before")), Instant.ofEpochMilli(rs.getLong("not_after")),
        rs.getString("sha256"), rs.getInt("chain_count"), rs.getBoolean("key_stored"),
        Instant.ofEpochMilli(rs.getLong("updated_at")), rs.getString("updated_by"));
  }

  private static List<String> sans(X509Certificate c) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> names = c.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> n : names) {
          Object type = n.get(0);
          if ((Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) && n.get(1) instanceof String s) {
            out.add(s);
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no readable SANs: the list stays empty
    }
    return out;
  }

  private static String sha256(X509Certificate c) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot hash a certificate", e);
    }
  }
}
