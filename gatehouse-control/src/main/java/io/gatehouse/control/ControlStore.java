package io.gatehouse.control;

import io.gatehouse.control.certificates.CertificateStore;
import java.nio.file.Path;
import org.jdbi.v3.core.Jdbi;

/**
 * A {@link ConfigStore} in a relational database that also holds the control plane's other tables
 * (identities, the audit log, uploaded certificates): {@link SqliteConfigStore} embedded,
 * {@link PostgresConfigStore} shared by a cluster.
 */
public interface ControlStore extends ConfigStore {

  /** The database handle, for the control plane's other tables; closed with the store. */
  Jdbi jdbi();

  /** The uploaded certificates (gateway SNI, backend mutual TLS, CA bundles), in the same database. */
  CertificateStore certificates();

  /**
   * The file that mirrors the audit chain's head, or {@code null} when the database is shared by
   * several servers (each would mirror only its own appends).
   */
  Path auditHeadFile();
}
