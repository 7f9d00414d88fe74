package io.gatehouse.control;

import io.gatehouse.control.certificates.CertificateStore;
import io.gatehouse.control.secrets.Secrets;
import io.gatehouse.model.GatewayConfig;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * What the two {@link ControlStore}s share: revisions, admin tokens and secrets through one
 * {@link ConfigStore} over their database, and the certificates in the same database; the subclass
 * says how the database is opened and whether the audit head is mirrored to a file.
 */
abstract class JdbcControlStore implements ControlStore {
  private final ConfigStore delegate;
  private final Jdbi jdbi;
  private final CertificateStore certificates;

  JdbcControlStore(ConfigStore delegate, Jdbi jdbi) {
    this.delegate = delegate;
    this.jdbi = jdbi;
    this.certificates = new CertificateStore(jdbi, delegate.secrets().masterKeys(), Clock.systemUTC());
  }

  @Override
  public Jdbi jdbi() {
    return jdbi;
  }

  @Override
  public CertificateStore certificates() {
    return certificates;
  }

  @Override
  public Secrets secrets() {
    return delegate.secrets();
  }

  @Override
  public Revision current() {
    return delegate.current();
  }

  @Override
  public Revision commit(GatewayConfig config, String author, String message, String source) {
    return delegate.commit(config, author, message, source);
  }

  @Override
  public Revision commitOn(long base, GatewayConfig config, String author, String message, String source) {
    return delegate.commitOn(base, config, author, message, source);
  }

  @Override
  public List<RevisionInfo> list(int offset, int limit) {
    return delegate.list(offset, limit);
  }

  @Override
  public Optional<Revision> get(long id) {
    return delegate.get(id);
  }

  @Override
  public Revision rollback(long id, String author) {
    return delegate.rollback(id, author);
  }

  @Override
  public void putAdminToken(String name, String hash) {
    delegate.putAdminToken(name, hash);
  }

  @Override
  public Optional<String> adminTokenName(String hash) {
    return delegate.adminTokenName(hash);
  }

  @Override
  public boolean hasAdminToken(String name) {
    return delegate.hasAdminToken(name);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
