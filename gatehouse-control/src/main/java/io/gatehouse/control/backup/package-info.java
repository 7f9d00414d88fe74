/**
 * Encrypted, passphrase-protected backups of an embedded (SQLite) data directory, taken while the
 * server runs, and their verified restore; see {@link io.gatehouse.control.backup.Backups}.
 */
package io.gatehouse.control.backup;
