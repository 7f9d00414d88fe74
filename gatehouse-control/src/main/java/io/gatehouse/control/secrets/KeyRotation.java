package io.gatehouse.control.secrets;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.secrets.internal.OwnerOnlyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Rotates the key-file master key while the server may be running: adds a new active key to
 * {@code master.key}, re-wraps every data key in the database under it (one transaction per batch,
 * over its own SQLite connection, which WAL mode allows beside the server's), and only then
 * retires the old keys. At every point each envelope names a key that the file holds, so a crash
 * midway leaves every secret readable; running it again finishes the job.
 */
public final class KeyRotation {
  /** What a rotation did. */
  public record Result(String newKeyId, List<String> retiredKeyIds, int rowsRewrapped) {}

  /** Rows re-wrapped per transaction. */
  public static final int BATCH = 20;

  private static final Logger LOG = LoggerFactory.getLogger(KeyRotation.class);

  private KeyRotation() {}

  /**
   * Rotates the master key of the data directory {@code dataDir} (which must hold
   * {@code master.key} and {@code gatehouse.db}).
   *
   * @throws IllegalStateException when the directory has no key file or the database cannot be updated
   */
  public static Result rotate(Path dataDir) {
    return rotate(dataDir, -1);
  }

  /**
   * Rotates the master key file of {@code dataDir} for the data keys stored in {@code database} (a
   * PostgreSQL database shared by a cluster): the same steps as {@link #rotate(Path)}, each batch one
   * transaction over a connection of {@code database}. Every other server of the cluster needs the
   * new key file before it reads a row re-wrapped under it.
   *
   * @throws IllegalStateException when the directory has no key file or the database cannot be updated
   */
  public static Result rotate(Path dataDir, javax.sql.DataSource database) {
    requireNonNull(dataDir, "dataDir");
    requireNonNull(database, "database");
    return rotate(keyFile(dataDir), database::getConnection, -1);
  }

  /** {@link #rotate(Path)} that, when {@code crashAfterRows >= 0}, throws after re-wrapping that many rows (test hook). */
  static Result rotate(Path dataDir, int crashAfterRows) {
    requireNonNull(dataDir, "dataDir");
    Path file = keyFile(dataDir);
    Path db = dataDir.resolve("gatehouse.db");
    if (!Files.isRegularFile(db)) {
      throw new IllegalStateException("expected the database " + db + " but it does not exist");
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(30_000);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    return rotate(file, () -> config.createConnection("jdbc:sqlite:" + db.toAbsolutePath()), crashAfterRows);
  }

  private static Path keyFile(Path dataDir) {
    Path file = dataDir.resolve(MasterKeys.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("expected a master key file " + file
          + " (rotate-keys rotates key-file master keys; for GATEHOUSE_MASTER_KEY or PKCS#11 see docs/security.md)");
    }
    return file;
  }

  /** Opens the connection one rotation runs over. */
  private interface ConnectionSource {
    Connection open() throws SQLException;
  }

  private static Result rotate(Path file, ConnectionSource database, int crashAfterRows) {
    List<String[]> old = MasterKeys.readFile(file);
    String[] fresh = MasterKeys.newFileKey();
    List<String[]> withNew = new ArrayList<>();
    withNew.add(fresh);
    withNew.addAll(old);
    write(file, withNew);
    MasterKeys keys = MasterKeys.keyFile(file);
    LOG.info("master key {} added; re-wrapping data keys", fresh[0]);

    int total = 0;
    try (Connection c = database.open()) {
      c.setAutoCommit(false);
      // passes until one finds nothing left: a server writing during the first pass may still have used the old key
      int pass;
      do {
        pass = rewrapTable(c, keys, "revisions", "id", "config", true, total, crashAfterRows);
        pass += rewrapTable(c, keys, "instance_keys", "name", "private_key", false, total + pass, crashAfterRows);
        if (hasTable(c, "certificates")) { // uploaded certificates' private keys (NULL for CA bundles)
          pass += rewrapTable(c, keys, "certificates", "name", "private_key", false, total + pass, crashAfterRows);
        }
        total += pass;
      } while (pass > 0);
    } catch (SQLException e) {
      throw new IllegalStateException("re-wrapping failed; the old key stays in " + file + " so every secret stays readable: "
          + e.getMessage(), e);
    }
    write(file, List.<String[]>of(fresh));
    List<String> retired = old.stream().map(e -> e[0]).toList();
    LOG.info("master key rotation done: {} rows re-wrapped under {}, retired {}", total, fresh[0], retired);
    return new Result(fresh[0], retired, total);
  }

  private static int rewrapTable(Connection c, MasterKeys keys, String table, String idColumn, String column,
      boolean json, int doneBefore, int crashAfterRows) throws SQLException {
    List<Object> ids = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + idColumn + " FROM " + table + " ORDER BY " + idColumn)) {
      while (rs.next()) {
        ids.add(rs.getObject(1));
      }
    }
    c.commit();
    int done = 0;
    for (int from = 0; from < ids.size(); from += BATCH) {
      List<Object> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
      try {
        for (Object id : batch) {
          String text;
          try (PreparedStatement q = c.prepareStatement("SELECT " + column + " FROM " + table + " WHERE " + idColumn + " = ?")) {
            q.setObject(1, id);
            try (ResultSet rs = q.executeQuery()) {
              if (!rs.next()) {
                continue;
              }
              text = rs.getString(1);
            }
          }
          if (text == null) {
            continue;
          }
          String updated = json ? Secrets.rewrapStored(keys, text) : rewrapOne(keys, text);
          if (updated == null) {
            continue;
          }
          try (PreparedStatement u = c.prepareStatement("UPDATE " + table + " SET " + column + " = ? WHERE " + idColumn + " = ?")) {
            u.setString(1, updated);
            u.setObject(2, id);
            u.executeUpdate();
          }
          done++;
          if (crashAfterRows >= 0 && doneBefore + done >= crashAfterRows) {
            throw new SimulatedCrash(doneBefore + done);
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    return done;
  }

  private static boolean hasTable(Connection c, String table) throws SQLException {
    try (ResultSet rs = c.getMetaData().getTables(null, null, table, new String[] {"TABLE"})) {
      boolean found = rs.next();
      c.commit();
      return found;
    }
  }

  private static String rewrapOne(MasterKeys keys, String envelope) {
    String next = keys.rewrap(envelope);
    return next.equals(envelope) ? null : next;
  }

  private static void write(Path file, List<String[]> entries) {
    try {
      OwnerOnlyFile.write(file, MasterKeys.format(entries), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the master key file " + file, e);
    }
  }

  /** Thrown by the test hook to stop a rotation midway, as a crash would. */
  static final class SimulatedCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(int rows) {
      super("simulated crash after " + rows + " rows");
    }
  }
}
