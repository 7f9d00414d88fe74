package io.gatehouse.control.backup;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.backup.internal.PostgresSnapshot;
import io.gatehouse.control.backup.BackupException.Kind;
import io.gatehouse.control.backup.internal.ArchiveReader;
import io.gatehouse.control.backup.internal.ArchiveWriter;
import io.gatehouse.control.secrets.MasterKeys;
import io.gatehouse.control.secrets.internal.OwnerOnlyFile;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.control.security.AuditVerification;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a consistent, passphrase-encrypted backup of an embedded data directory while the server runs, and
 * restores one into an empty directory only after every byte, file hash, the database's integrity, the audit chain
 * and the master key have been checked; a failed restore leaves the target as it was.
 *
 * <p>What a backup holds: {@code gatehouse.db} (configuration revisions, subscriptions, users, admin token hashes,
 * audit log; secrets still encrypted under their data keys), {@code counters.db} when present, {@code analytics.db}
 * when asked, an {@code audit-head} naming the snapshot's last audit record, and {@code master.key} only when asked
 * (never for {@code GATEHOUSE_MASTER_KEY} or PKCS#11 keys, which the operator keeps). Each SQLite file is copied with
 * {@code VACUUM INTO}, one read transaction, so the copy is a committed state even while the server writes.
 * The archive layout (Argon2id, AES-256-GCM chunks) is described in docs/security.md, "Backup and restore". Thread-safe.
 */
public final class Backups {
  /** The name of the manifest, the archive's first entry. */
  public static final String MANIFEST = "manifest.json";
  /** The SQLite files a backup may hold. */
  static final List<String> DATABASES = List.of(SqliteConfigStore.FILE_NAME, "counters.db", "analytics.db");
  /** Every file name a restore accepts. */
  static final Set<String> FILES = Set.of(SqliteConfigStore.FILE_NAME, "counters.db", "analytics.db",
      AuditLog.HEAD_FILE, MasterKeys.FILE_NAME);
  /** The shortest passphrase {@link #create} accepts. */
  public static final int MIN_PASSPHRASE = 12;

  private static final Logger LOG = LoggerFactory.getLogger(Backups.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Pattern ENVELOPE = Pattern.compile(
      Pattern.quote(MasterKeys.PREFIX) + "([A-Za-z0-9_-]{1,64}):[A-Za-z0-9_=-]+:[A-Za-z0-9_=-]+");

  private Backups() {}

  /** Argon2id cost parameters: memory in KiB, passes and lanes. */
  public record Kdf(int memoryKib, int passes, int lanes) {
    /** The default cost: 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended option, one lane). */
    public static final Kdf DEFAULT = new Kdf(64 * 1024, 3, 1);

    /** Checks the bounds a reader accepts, so a crafted header cannot demand unbounded memory or time. */
    public Kdf {
      if (memoryKib < 8 * lanes || memoryKib > 1024 * 1024 || passes < 1 || passes > 64 || lanes < 1 || lanes > 16) {
        throw new IllegalArgumentException("expected Argon2id memory 8*lanes..1048576 KiB, passes 1..64, lanes 1..16"
            + " but got m=" + memoryKib + ", t=" + passes + ", p=" + lanes);
      }
    }
  }

  /** What to put in a backup. */
  public record Options(boolean includeAnalytics, boolean includeMasterKey, Map<String, String> env,
      Kdf kdf) {
    /** Checks the fields. */
    public Options {
      env = Map.copyOf(requireNonNull(env, "env"));
      requireNonNull(kdf, "kdf");
    }

    /** Configuration, counters and audit, no analytics, no master key, the default key derivation cost. */
    public static Options defaults(Map<String, String> env) {
      return new Options(false, false, env, Kdf.DEFAULT);
    }
  }

  /** What a restore uses besides the archive: a master key file to install, and the environment's key sources. */
  public record RestoreOptions(Path masterKeyFile, Map<String, String> env) {
    /** Checks the fields; {@code masterKeyFile} may be null. */
    public RestoreOptions {
      env = Map.copyOf(requireNonNull(env, "env"));
    }
  }

  /** One file of a backup. */
  public record Entry(String name, long size, String sha256) {}

  /**
   * What a backup holds or a restore installed: the files, the audit records, the schema version, whether the master
   * key travels in the archive, and the ids of the master keys the stored secrets are wrapped with.
   */
  public record Summary(List<Entry> files, long auditRecords, String schemaVersion, boolean masterKeyIncluded,
      List<String> masterKeyIds, Instant created) {}

  // ---------------------------------------------------------------- backup

  /**
   * Writes a backup of {@code dataDir} to the new file {@code archive} (mode 0600; it must not exist), encrypted
   * under {@code passphrase}; safe while a server uses the directory.
   *
   * @throws BackupException USAGE for bad input, FAILED when the data cannot be read or its audit chain is broken
   */
  public static Summary create(Path dataDir, Path archive, char[] passphrase, Options options) {
    requireNonNull(dataDir, "dataDir");
    requireNonNull(archive, "archive");
    requireNonNull(passphrase, "passphrase");
    requireNonNull(options, "options");
    Path db = dataDir.resolve(SqliteConfigStore.FILE_NAME);
    if (!Files.isRegularFile(db)) {
      throw new BackupException(Kind.USAGE, "no Gatehouse database at " + db + " (expected --data to name a data directory)");
    }
    return write(dataDir, archive, passphrase, options, work -> {
      for (String name : DATABASES) {
        Path source = dataDir.resolve(name);
        if (Files.isRegularFile(source) && (!name.equals("analytics.db") || options.includeAnalytics())) {
          vacuumInto(source, work.resolve(name));
        }
      }
    }, dataDir.toString());
  }

  /**
   * Writes a backup of the PostgreSQL store behind {@code database} and of the node's files in
   * {@code dataDir} (the master key when asked; the quota counters when the database holds none in
   * {@code quota_counters}, whose rows otherwise become the archive's {@code counters.db}) to the
   * new file {@code archive}:
   * the database is read in one {@code REPEATABLE READ} transaction, a consistent snapshot while
   * servers write, into the SQLite files of an embedded backup, so that the archive has the same
   * format and passes the same checks, and restores into either store.
   *
   * @param where names the database in messages (without its password)
   * @throws BackupException USAGE for bad input, FAILED when the audit chain is broken, IO when the
   *     database cannot be read
   */
  public static Summary createFromPostgres(javax.sql.DataSource database, String where, Path dataDir, Path archive,
      char[] passphrase, Options options) {
    requireNonNull(database, "database");
    requireNonNull(where, "where");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(archive, "archive");
    requireNonNull(passphrase, "passphrase");
    requireNonNull(options, "options");
    return write(dataDir, archive, passphrase, options, work -> {
      // the quota counters: the database's shared copy when it holds one, else the node's own file
      long shared = PostgresSnapshot.export(database, where, work.resolve(SqliteConfigStore.FILE_NAME),
          options.includeAnalytics() ? work.resolve("analytics.db") : null, work.resolve("counters.db"));
      Path counters = dataDir.resolve("counters.db");
      if (shared == 0 && Files.isRegularFile(counters)) {
        vacuumInto(counters, work.resolve("counters.db"));
      }
    }, where);
  }

  /** Fills a work directory with the database files of a backup. */
  @FunctionalInterface
  private interface Snapshot {
    void into(Path work) throws IOException;
  }

  private static Summary write(Path dataDir, Path archive, char[] passphrase, Options options, Snapshot snapshotter,
      String source) {
    if (passphrase.length < MIN_PASSPHRASE) {
      throw new BackupException(Kind.USAGE, "expected a passphrase of at least " + MIN_PASSPHRASE + " characters but got "
          + passphrase.length);
    }
    if (Files.exists(archive)) {
      throw new BackupException(Kind.USAGE, archive + " exists; expected a new file name");
    }
    if (options.includeMasterKey()) {
      checkKeyFileSource(options.env(), dataDir);
    }
    Path parent = archive.toAbsolutePath().getParent();
    Path work = null;
    Path partial = null;
    try {
      io.gatehouse.model.storage.PrivateFiles.directory(parent);
      work = Files.createTempDirectory(parent, ".gatehouse-backup-");
      Head liveHead = readHead(dataDir.resolve(AuditLog.HEAD_FILE));
      snapshotter.into(work);
      Path snapshot = work.resolve(SqliteConfigStore.FILE_NAME);
      long records = snapshotAudit(snapshot, liveHead, work.resolve(AuditLog.HEAD_FILE));
      Map<String, String> samples = envelopes(snapshot);
      if (options.includeMasterKey()) {
        copyKeyFile(dataDir.resolve(MasterKeys.FILE_NAME), work.resolve(MasterKeys.FILE_NAME), samples);
      }
      List<Entry> entries = new ArrayList<>();
      try (Stream<Path> files = Files.list(work)) {
        for (Path f : files.sorted().toList()) {
          entries.add(new Entry(f.getFileName().toString(), Files.size(f), sha256(f)));
        }
      }
      Summary summary = new Summary(entries, records, schemaVersion(snapshot), options.includeMasterKey(),
          List.copyOf(samples.keySet()), Instant.now());
      partial = Files.createTempFile(parent, "." + archive.getFileName() + ".", ".partial", ownerOnly());
      try (ArchiveWriter w = new ArchiveWriter(new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16),
          passphrase, options.kdf());
          DataOutputStream out = new DataOutputStream(w)) {
        byte[] manifest = JSON.writeValueAsBytes(manifest(summary));
        out.writeUTF(MANIFEST);
        out.writeLong(manifest.length);
        out.write(manifest);
        for (Entry e : entries) {
          out.writeUTF(e.name());
          out.writeLong(e.size());
          Files.copy(work.resolve(e.name()), out);
        }
        out.writeUTF("");
      }
      try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
      partial = null;
      LOG.info("backup of {} written to {}: {} files, {} audit records", source, archive, entries.size(), records);
      return summary;
    } catch (IOException e) {
      throw new BackupException(Kind.IO, "cannot write the backup " + archive + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(partial);
      deleteTree(work);
    }
  }

  private static void checkKeyFileSource(Map<String, String> env, Path dataDir) {
    if (present(env, "GATEHOUSE_PKCS11_CONFIG")) {
      throw new BackupException(Kind.USAGE, "--include-master-key: the master key lives in a PKCS#11 token and cannot"
          + " leave it; restore on a host that reaches the same token");
    }
    if (present(env, "GATEHOUSE_MASTER_KEY")) {
      throw new BackupException(Kind.USAGE, "--include-master-key: the master key comes from GATEHOUSE_MASTER_KEY;"
          + " keep that value with the backup instead");
    }
    if (!Files.isRegularFile(dataDir.resolve(MasterKeys.FILE_NAME))) {
      throw new BackupException(Kind.USAGE, "--include-master-key: no key file " + dataDir.resolve(MasterKeys.FILE_NAME));
    }
  }

  /** Copies the key file, checking that it opens every stored secret (a concurrent rotate-keys may need a retry). */
  private static void copyKeyFile(Path source, Path target, Map<String, String> samples) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
      try {
        checkKeys(MasterKeys.keyFile(target), samples, "the key file " + source);
        return;
      } catch (BackupException e) {
        if (attempt == 3) {
          throw new BackupException(Kind.MISSING_MASTER_KEY, e.getMessage());
        }
      }
    }
  }

  private static Map<String, Object> manifest(Summary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", 1);
    m.put("product", "gatehouse");
    String v = Backups.class.getPackage().getImplementationVersion();
    m.put("productVersion", v == null ? "development" : v);
    m.put("created", s.created().toString());
    m.put("schemaVersion", s.schemaVersion());
    m.put("auditRecords", s.auditRecords());
    m.put("masterKeyIncluded", s.masterKeyIncluded());
    m.put("masterKeyIds", s.masterKeyIds());
    List<Map<String, Object>> files = new ArrayList<>();
    for (Entry e : s.files()) {
      files.add(Map.of("name", e.name(), "size", e.size(), "sha256", e.sha256()));
    }
    m.put("files", files);
    return m;
  }

  /** {@code VACUUM INTO}: a compact copy of the database as of one read transaction. */
  private static void vacuumInto(Path source, Path target) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + source.toAbsolutePath());
        Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 10000");
      s.execute("VACUUM INTO '" + target.toAbsolutePath().toString().replace("'", "''") + "'");
    } catch (SQLException e) {
      throw new BackupException(Kind.IO, "cannot copy " + source + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks the snapshot's audit chain and that it reaches the record the live head file named before the snapshot,
   * then writes the snapshot's own head file; returns the number of records.
   */
  private static long snapshotAudit(Path snapshot, Head liveHead, Path headFile) {
    Jdbi jdbi = Jdbi.create("jdbc:sqlite:" + snapshot.toAbsolutePath());
    if (!hasTable(jdbi, "audit_log")) {
      return 0;
    }
    AuditVerification v = new AuditLog(jdbi, null).verify();
    if (!v.intact()) {
      throw new BackupException(Kind.FAILED, "the audit log is broken (" + v.detail() + "); run 'gatehouse audit verify'"
          + " and investigate before backing up");
    }
    if (liveHead != null && liveHead.seq() > 0) {
      String hash = jdbi.withHandle(h -> h.createQuery("SELECT hash FROM audit_log WHERE seq = :s")
          .bind("s", liveHead.seq()).mapTo(String.class).findOne().orElse(null));
      if (!liveHead.hash().equals(hash)) {
        throw new BackupException(Kind.FAILED, "the audit log does not hold record " + liveHead.seq() + " named by its head"
            + " file " + AuditLog.HEAD_FILE + "; run 'gatehouse audit verify' and investigate before backing up");
      }
    }
    Map<String, Object> last = jdbi.withHandle(h -> h.createQuery("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .mapToMap().findOne().orElse(null));
    if (last == null) {
      AuditLog.writeHeadFile(headFile, 0, AuditLog.GENESIS);
      return 0;
    }
    long seq = ((Number) last.get("seq")).longValue();
    AuditLog.writeHeadFile(headFile, seq, (String) last.get("hash"));
    return v.checked();
  }

  // ---------------------------------------------------------------- restore

  /**
   * Restores the backup {@code archive} into {@code target}, which must be absent or an empty directory: decrypts it
   * into a directory beside the target, checks every file's size and SHA-256, the database's integrity, the audit
   * chain and that the available master key opens every stored secret, then moves it into place; on any failure the
   * target is left as it was.
   *
   * @throws BackupException with the kind telling a wrong passphrase, a corrupted or truncated archive, a missing
   *     master key, bad input or another failure apart
   */
  public static Summary restore(Path archive, Path target, char[] passphrase, RestoreOptions options) {
    requireNonNull(archive, "archive");
    requireNonNull(target, "target");
    requireNonNull(passphrase, "passphrase");
    requireNonNull(options, "options");
    checkEmpty(target);
    if (!Files.isRegularFile(archive)) {
      throw new BackupException(Kind.USAGE, "no backup file " + archive);
    }
    if (options.masterKeyFile() != null && !Files.isRegularFile(options.masterKeyFile())) {
      throw new BackupException(Kind.USAGE, "no master key file " + options.masterKeyFile());
    }
    Path parent = target.toAbsolutePath().getParent();
    Path work = null;
    try {
      io.gatehouse.model.storage.PrivateFiles.directory(parent);
      work = Files.createTempDirectory(parent, "." + target.getFileName() + ".restore-");
      Summary summary = unpack(archive, passphrase, work);
      Path db = work.resolve(SqliteConfigStore.FILE_NAME);
      if (!Files.isRegularFile(db)) {
        throw new BackupException(Kind.CORRUPTED, archive + " holds no " + SqliteConfigStore.FILE_NAME);
      }
      for (Entry e : summary.files()) {
        if (e.name().endsWith(".db")) {
          integrityCheck(work.resolve(e.name()));
        }
      }
      checkSchemaKnown(db, archive);
      Jdbi jdbi = Jdbi.create("jdbc:sqlite:" + db.toAbsolutePath());
      if (hasTable(jdbi, "audit_log")) {
        AuditVerification v = new AuditLog(jdbi, work.resolve(AuditLog.HEAD_FILE)).verify();
        if (!v.intact()) {
          throw new BackupException(Kind.FAILED, "the audit chain in " + archive + " is broken: " + v.detail());
        }
      }
      installKeys(work, summary, options);
      if (Files.exists(target)) {
        Files.delete(target); // checked empty above
      }
      Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
      work = null;
      LOG.info("restored {} into {}", archive, target);
      return summary;
    } catch (IOException e) {
      throw new BackupException(Kind.IO, "cannot restore into " + target + ": " + e.getMessage(), e);
    } finally {
      deleteTree(work);
    }
  }

  /**
   * Restores the backup {@code archive} into the empty PostgreSQL database behind {@code database}
   * (the archive's quota counters into {@code quota_counters} too) and the node's files (master
   * key, counters) into the absent or empty data directory
   * {@code dataDir}: every check of {@link #restore} runs first, then the rows are written in one
   * transaction; on any failure the database holds no rows and {@code dataDir} is removed again.
   * An archive of either store restores here.
   *
   * @param where names the database in messages (without its password)
   * @throws BackupException as {@link #restore}, and USAGE when the database already holds data
   */
  public static Summary restoreToPostgres(Path archive, javax.sql.DataSource database, String where, Path dataDir,
      char[] passphrase, RestoreOptions options) {
    requireNonNull(database, "database");
    requireNonNull(where, "where");
    PostgresSnapshot.requireEmpty(database, where);
    boolean existed = Files.exists(dataDir);
    Summary summary = restore(archive, dataDir, passphrase, options);
    try {
      Path analytics = dataDir.resolve("analytics.db");
      Path counters = dataDir.resolve("counters.db");
      PostgresSnapshot.load(database, where, dataDir.resolve(SqliteConfigStore.FILE_NAME),
          Files.isRegularFile(analytics) ? analytics : null, Files.isRegularFile(counters) ? counters : null);
      // the database now lives in PostgreSQL: no embedded copy is left to be served by mistake
      for (String name : List.of(SqliteConfigStore.FILE_NAME, "analytics.db", AuditLog.HEAD_FILE)) {
        Files.deleteIfExists(dataDir.resolve(name));
      }
      LOG.info("restored {} into {}", archive, where);
      return summary;
    } catch (IOException | RuntimeException e) {
      if (existed) {
        try (Stream<Path> files = Files.list(dataDir)) {
          files.forEach(Backups::deleteQuietly);
        } catch (IOException ignored) {
          // best effort: the message below names the failure
        }
      } else {
        deleteTree(dataDir);
      }
      if (e instanceof BackupException b) {
        throw b;
      }
      throw new BackupException(Kind.IO, "cannot restore into " + where + ": " + e.getMessage(), e);
    }
  }

  private static void checkEmpty(Path target) {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new BackupException(Kind.USAGE, target + " exists and is not a directory; expected an absent or empty data directory");
    }
    try (Stream<Path> s = Files.list(target)) {
      if (s.findAny().isPresent()) {
        throw new BackupException(Kind.USAGE, target + " is not empty; restore only into an absent or empty data directory");
      }
    } catch (IOException e) {
      throw new BackupException(Kind.USAGE, "cannot read " + target + ": " + e, e);
    }
  }

  /** Decrypts the archive into {@code work}, checking the manifest against every entry. */
  private static Summary unpack(Path archive, char[] passphrase, Path work) throws IOException {
    String name = archive.getFileName().toString();
    try (ArchiveReader r = new ArchiveReader(new BufferedInputStream(Files.newInputStream(archive), 1 << 16), name,
        passphrase); DataInputStream in = new DataInputStream(r)) {
      if (!MANIFEST.equals(in.readUTF())) {
        throw new BackupException(Kind.CORRUPTED, name + " does not start with its manifest");
      }
      long size = in.readLong();
      if (size < 0 || size > 1 << 20) {
        throw new BackupException(Kind.CORRUPTED, name + " has a manifest of " + size + " bytes");
      }
      Map<String, Object> m = JSON.readValue(in.readNBytes((int) size), new TypeReference<Map<String, Object>>() {});
      Map<String, Entry> expected = new TreeMap<>();
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> files = (List<Map<String, Object>>) m.get("files");
      for (Map<String, Object> f : files) {
        Entry e = new Entry((String) f.get("name"), ((Number) f.get("size")).longValue(), (String) f.get("sha256"));
        if (!FILES.contains(e.name())) {
          throw new BackupException(Kind.CORRUPTED, name + " lists an unexpected file '" + e.name() + "'");
        }
        expected.put(e.name(), e);
      }
      Set<String> seen = new LinkedHashSet<>();
      for (String entry = in.readUTF(); !entry.isEmpty(); entry = in.readUTF()) {
        Entry e = expected.get(entry);
        if (e == null || !seen.add(entry)) {
          throw new BackupException(Kind.CORRUPTED, name + " holds an unlisted or repeated file '" + entry + "'");
        }
        long length = in.readLong();
        if (length != e.size()) {
          throw new BackupException(Kind.CORRUPTED, name + ": " + entry + " has " + length + " bytes, the manifest says " + e.size());
        }
        MessageDigest sha = sha();
        try (OutputStream out = new DigestOutputStream(
            Files.newOutputStream(io.gatehouse.model.storage.PrivateFiles.file(work.resolve(entry))), sha)) {
          copy(in, out, length);
        }
        String hash = HexFormat.of().formatHex(sha.digest());
        if (!hash.equals(e.sha256())) {
          throw new BackupException(Kind.CORRUPTED, name + ": " + entry + " has SHA-256 " + hash + ", the manifest says " + e.sha256());
        }
      }
      if (!seen.equals(expected.keySet())) {
        throw new BackupException(Kind.CORRUPTED, name + " lacks files its manifest lists: " + expected.keySet());
      }
      if (in.read() >= 0) {
        throw new BackupException(Kind.CORRUPTED, name + " has data after its last file");
      }
      @SuppressWarnings("unchecked")
      List<String> ids = (List<String>) m.getOrDefault("masterKeyIds", List.of());
      return new Summary(List.copyOf(expected.values()), ((Number) m.getOrDefault("auditRecords", 0)).longValue(),
          String.valueOf(m.get("schemaVersion")), Boolean.TRUE.equals(m.get("masterKeyIncluded")), ids,
          Instant.parse((String) m.get("created")));
    } catch (EOFException e) {
      // the reader authenticated every byte, so an early end is inside the (authentic) content: a broken writer
      throw new BackupException(Kind.CORRUPTED, name + " ends inside its content: " + e.getMessage(), e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BackupException(Kind.CORRUPTED, name + " has a malformed manifest: "
          + io.gatehouse.model.ReadErrors.describe(e, "JSON"), e);
    } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
      throw new BackupException(Kind.CORRUPTED, name + " has a malformed manifest: a field is missing or of the wrong"
          + " kind", e);
    }
  }

  /** Installs the master key the restored secrets need and checks that it opens each of them. */
  private static void installKeys(Path work, Summary summary, RestoreOptions options) throws IOException {
    Path keyFile = work.resolve(MasterKeys.FILE_NAME);
    if (options.masterKeyFile() != null) {
      if (Files.exists(keyFile)) {
        throw new BackupException(Kind.USAGE, "the backup holds its master key; drop --master-key-file");
      }
      OwnerOnlyFile.write(keyFile, Files.readString(options.masterKeyFile(), StandardCharsets.UTF_8), true);
    } else if (Files.exists(keyFile)) {
      try {
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
    }
    Map<String, String> samples = envelopes(work.resolve(SqliteConfigStore.FILE_NAME));
    if (samples.isEmpty()) {
      return;
    }
    MasterKeys keys;
    String where;
    if (present(options.env(), "GATEHOUSE_PKCS11_CONFIG") || present(options.env(), "GATEHOUSE_MASTER_KEY")) {
      keys = MasterKeys.open(work, options.env());
      where = present(options.env(), "GATEHOUSE_PKCS11_CONFIG") ? "the PKCS#11 key" : "GATEHOUSE_MASTER_KEY";
    } else if (Files.exists(keyFile)) {
      keys = MasterKeys.keyFile(keyFile);
      where = options.masterKeyFile() != null ? "the key file " + options.masterKeyFile() : "the key file in the backup";
    } else {
      throw new BackupException(Kind.MISSING_MASTER_KEY, "the backup's secrets are wrapped by master key(s) "
          + samples.keySet() + " and the backup does not hold them; pass --master-key-file FILE with a key file that"
          + " holds them (the data directory's master.key, or the file 'rotate-keys --save-retired-keys' wrote), set"
          + " GATEHOUSE_MASTER_KEY or GATEHOUSE_PKCS11_CONFIG, or take the backup with --include-master-key");
    }
    checkKeys(keys, samples, where);
  }

  private static void checkKeys(MasterKeys keys, Map<String, String> samples, String where) {
    for (Map.Entry<String, String> e : samples.entrySet()) {
      try {
        keys.decrypt(e.getValue());
      } catch (RuntimeException x) {
        List<String> held = keys.keyIds();
        throw new BackupException(Kind.MISSING_MASTER_KEY, "the backup's secrets need master key " + e.getKey() + " but "
            + where + (held.contains(e.getKey()) ? " does not open them (its key " + e.getKey() + " differs)"
                : " holds only " + held + "; if 'rotate-keys' retired " + e.getKey() + ", pass --master-key-file FILE"
                    + " with a key file that holds it (the one 'rotate-keys --save-retired-keys' wrote, or a copy of"
                    + " master.key from before the rotation)"));
      }
    }
  }

  /** Refuses a database migrated by a newer Gatehouse than this one: this version could not open it. */
  private static void checkSchemaKnown(Path db, Path archive) {
    MigrationInfo[] all = Flyway.configure()
        .dataSource("jdbc:sqlite:" + db.toAbsolutePath(), null, null)
        .locations(SqliteConfigStore.MIGRATIONS)
        .load().info().all();
    for (MigrationInfo m : all) {
      if (m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED) {
        throw new BackupException(Kind.USAGE, archive.getFileName() + " comes from a newer Gatehouse: its database has"
            + " schema version " + m.getVersion() + " that this version does not know; restore it with that version");
      }
    }
  }

  private static void integrityCheck(Path db) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      String result = rs.next() ? rs.getString(1) : "no answer";
      if (!"ok".equals(result)) {
        throw new BackupException(Kind.CORRUPTED, db.getFileName() + " fails its integrity check: " + result);
      }
    } catch (SQLException e) {
      throw new BackupException(Kind.CORRUPTED, db.getFileName() + " cannot be opened: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- shared

  /** One sample envelope per master key id found in any text column of the database. */
  static Map<String, String> envelopes(Path db) {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        List<String> columns = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(\"" + t.replace("\"", "\"\"") + "\")")) {
          while (rs.next()) {
            columns.add(rs.getString("name"));
          }
        }
        for (String col : columns) {
          String q = "\"" + col.replace("\"", "\"\"") + "\"";
          try (ResultSet rs = s.executeQuery("SELECT " + q + " FROM \"" + t.replace("\"", "\"\"") + "\" WHERE typeof(" + q
              + ") = 'text' AND instr(" + q + ", '" + MasterKeys.PREFIX + "') > 0")) {
            while (rs.next()) {
              Matcher m = ENVELOPE.matcher(rs.getString(1));
              while (m.find()) {
                out.putIfAbsent(m.group(1), m.group());
              }
            }
          }
        }
      }
    } catch (SQLException e) {
      throw new BackupException(Kind.IO, "cannot read " + db + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static String schemaVersion(Path db) {
    Jdbi jdbi = Jdbi.create("jdbc:sqlite:" + db.toAbsolutePath());
    if (!hasTable(jdbi, "flyway_schema_history")) {
      return "none";
    }
    return jdbi.withHandle(h -> h.createQuery("SELECT version FROM flyway_schema_history WHERE success = 1 AND version"
        + " IS NOT NULL ORDER BY installed_rank DESC LIMIT 1").mapTo(String.class).findOne().orElse("none"));
  }

  private static boolean hasTable(Jdbi jdbi, String table) {
    return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :t")
        .bind("t", table).mapTo(Integer.class).one()) > 0;
  }

  private record Head(long seq, String hash) {}

  /** The committed line of an audit head file ({@code seq hash}), or null when there is none. */
  private static Head readHead(Path file) {
    try {
      String first = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
      String[] parts = first.split(" ");
      return parts.length < 2 ? null : new Head(Long.parseLong(parts[0]), parts[1]);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | NumberFormatException e) {
      throw new BackupException(Kind.IO, "cannot read the audit head file " + file + ": " + e.getMessage(), e);
    }
  }

  private static boolean present(Map<String, String> env, String name) {
    String v = env.get(name);
    return v != null && !v.isBlank();
  }

  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = length;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new EOFException("expected " + left + " more bytes");
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }

  private static String sha256(Path f) throws IOException {
    MessageDigest sha = sha();
    try (InputStream in = new DigestInputStream(Files.newInputStream(f), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static java.nio.file.attribute.FileAttribute<?>[] ownerOnly() {
    try {
      java.nio.file.FileSystems.getDefault().provider();
      if (java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        return new java.nio.file.attribute.FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
      }
    } catch (UnsupportedOperationException e) {
      // fall through
    }
    return new java.nio.file.attribute.FileAttribute<?>[0];
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        LOG.warn("cannot delete {}: {}", p, e.toString());
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(Backups::deleteQuietly);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.toString());
    }
  }
}
