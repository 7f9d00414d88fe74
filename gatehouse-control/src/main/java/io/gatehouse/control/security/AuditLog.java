package io.gatehouse.control.security;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.ControlStore;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.model.ConfigMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The append-only, hash-chained audit log: each record's hash covers the previous record's hash and
 * the record's canonical JSON, and the head of the chain is mirrored to a file beside the database,
 * so that {@link #verify()} names the first record altered, inserted or removed behind the server's
 * back.
 *
 * <p>Thread-safe; every method blocks on the database.
 */
public final class AuditLog {
  /** The previous hash of the first record. */
  public static final String GENESIS = "0".repeat(64);
  /** The file, in the data directory, holding the sequence number and hash of the last record. */
  public static final String HEAD_FILE = "audit-head";
  /** What replaces a secret in before/after JSON. */
  public static final String REDACTED = "***redacted***";

  private static final Pattern SECRET_FIELD = Pattern.compile(
      "(?i).*(password|secret|token|apikey|api_key|privatekey|private_key|credential|passphrase).*"
          + "|(?i)(primary|secondary)key(hash)?|(?i)key|(?i)keyhash");
  private static final ObjectMapper CANONICAL = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final String COLUMNS =
      "seq, time, actor, roles, source_ip, action, entity, before_json, after_json, result, request_id, prev_hash, hash";

  private final Jdbi jdbi;
  private final Path headFile;
  private final Object lock = new Object();

  /** The log in {@code jdbi}'s {@code audit_log} table, mirroring its head to {@code headFile} when not null. */
  public AuditLog(Jdbi jdbi, Path headFile) {
    this.jdbi = requireNonNull(jdbi, "jdbi");
    this.headFile = headFile;
  }

  /** The log of {@code store}, mirroring its head to {@link ControlStore#auditHeadFile()} when it has one. */
  public static AuditLog of(ControlStore store) {
    return new AuditLog(store.jdbi(), store.auditHeadFile());
  }

  /** Checks the audit log of the data directory {@code dataDir}. */
  public static AuditVerification verify(Path dataDir) {
    try (SqliteConfigStore store = SqliteConfigStore.open(dataDir)) {
      return of(store).verify();
    }
  }

  /**
   * Checks the audit log in {@code database} (a PostgreSQL database shared by a cluster): the chain
   * alone, since a shared database has no head file. Needs no master key.
   */
  public static AuditVerification verify(javax.sql.DataSource database) {
    return new AuditLog(Jdbi.create(requireNonNull(database, "database")), null).verify();
  }

  /**
   * Appends a record; {@code before} and {@code after} are any values Jackson writes (or null), and
   * every field whose name looks like a secret is replaced with {@value #REDACTED} first.
   */
  public AuditRecord append(String actor, String roles, String sourceIp, String action, String entity, Object before,
      Object after, String result, String requestId) {
    String beforeJson = redactedJson(before);
    String afterJson = redactedJson(after);
    synchronized (lock) {
      AuditRecord written = jdbi.inTransaction(h -> {
        io.gatehouse.control.internal.WriteLocks.serialize(h, io.gatehouse.control.internal.WriteLocks.AUDIT);
        Map<String, Object> last = h.createQuery("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .mapToMap().findOne().orElse(null);
        long seq = last == null ? 1 : ((Number) last.get("seq")).longValue() + 1;
        String prev = last == null ? GENESIS : (String) last.get("hash");
        AuditRecord r = new AuditRecord(seq, Instant.ofEpochMilli(System.currentTimeMillis()), nz(actor), nz(roles),
            nz(sourceIp), nz(action), nz(entity), beforeJson, afterJson, nz(result), nz(requestId), prev, null);
        r = withHash(r);
        h.createUpdate("INSERT INTO audit_log (" + COLUMNS + ") VALUES (:seq, :time, :actor, :roles, :ip, :action,"
                + " :entity, :before, :after, :result, :rid, :prev, :hash)")
            .bind("seq", r.seq()).bind("time", r.time().toEpochMilli()).bind("actor", r.actor())
            .bind("roles", r.roles()).bind("ip", r.sourceIp()).bind("action", r.action()).bind("entity", r.entity())
            .bind("before", r.before()).bind("after", r.after()).bind("result", r.result())
            .bind("rid", r.requestId()).bind("prev", r.prevHash()).bind("hash", r.hash())
            .execute();
        // crash safety: before the commit, the head file also names the record being written, so that a
        // crash on either side of the commit leaves a head file that matches the log
        writeHead(seq - 1, prev, r);
        return r;
      });
      writeHead(written.seq(), written.hash(), null);
      return written;
    }
  }

  /**
   * Records matching every given filter (null filters match all), oldest first.
   *
   * @param entityPrefix matches entities starting with it (for example {@code apis/})
   */
  public List<AuditRecord> query(String actor, String action, String entityPrefix, Instant from, Instant to,
      int offset, int limit) {
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("expected offset >= 0 and limit >= 0 but got " + offset + ", " + limit);
    }
    List<AuditRecord> out = new ArrayList<>();
    scan(actor, action, entityPrefix, from, to, offset, limit, out::add);
    return out;
  }

  /** Calls {@code sink} with every matching record, oldest first, without holding them all in memory. */
  public void scan(String actor, String action, String entityPrefix, Instant from, Instant to, int offset, int limit,
      Consumer<AuditRecord> sink) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_log WHERE 1 = 1");
    Map<String, Object> binds = new LinkedHashMap<>();
    if (actor != null) {
      sql.append(" AND actor = :actor");
      binds.put("actor", actor);
    }
    if (action != null) {
      sql.append(" AND action = :action");
      binds.put("action", action);
    }
    if (entityPrefix != null) {
      sql.append(" AND substr(entity, 1, :elen) = :entity");
      binds.put("elen", entityPrefix.length());
      binds.put("entity", entityPrefix);
    }
    if (from != null) {
      sql.append(" AND time >= :from");
      binds.put("from", from.toEpochMilli());
    }
    if (to != null) {
      sql.append(" AND time < :to");
      binds.put("to", to.toEpochMilli());
    }
    sql.append(" ORDER BY seq LIMIT :limit OFFSET :offset");
    binds.put("limit", limit);
    binds.put("offset", offset);
    jdbi.useHandle(h -> {
      Query q = h.createQuery(sql.toString());
      binds.forEach(q::bind);
      try (var it = q.map((rs, ctx) -> record(rs)).iterator()) {
        while (it.hasNext()) {
          sink.accept(it.next());
        }
      }
    });
  }

  /** One record as a JSON object (the export format: one of these per line). */
  public static Map<String, Object> toJson(AuditRecord r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("seq", r.seq());
    out.put("time", r.time().toString());
    out.put("actor", r.actor());
    out.put("roles", r.roles());
    out.put("sourceIp", r.sourceIp());
    out.put("action", r.action());
    out.put("entity", r.entity());
    out.put("before", parse(r.before()));
    out.put("after", parse(r.after()));
    out.put("result", r.result());
    out.put("requestId", r.requestId());
    out.put("prevHash", r.prevHash());
    out.put("hash", r.hash());
    return out;
  }

  /**
   * Walks the chain from the first record and reports the first problem: a record whose link to
   * its predecessor is broken was either preceded by inserted records (it links to an earlier
   * record) or follows a removed one (it links to a hash no record has); a record whose content no
   * longer hashes to its stored hash was altered; and the head file catches records removed from
   * or appended to the end.
   */
  public AuditVerification verify() {
    List<AuditRecord> rows = jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM audit_log ORDER BY seq")
        .map((rs, ctx) -> record(rs)).list());
    Map<String, Integer> seen = new HashMap<>();
    seen.put(GENESIS, -1);
    String prev = GENESIS;
    long expected = 1;
    for (int i = 0; i < rows.size(); i++) {
      AuditRecord r = rows.get(i);
      if (!r.prevHash().equals(prev)) {
        Integer linked = seen.get(r.prevHash());
        if (linked != null) {
          AuditRecord firstInserted = rows.get(linked + 1);
          return AuditVerification.broken(i, AuditVerification.Problem.INSERTED, firstInserted.seq(),
              "record " + r.seq() + " links to record " + (linked < 0 ? "0 (the start)" : rows.get(linked).seq())
                  + ", so the " + (i - linked - 1) + " record(s) before it were inserted");
        }
        long missing = r.seq() > expected ? expected : r.seq();
        return AuditVerification.broken(i, AuditVerification.Problem.MISSING, missing,
            "record " + r.seq() + " links to hash " + r.prevHash() + " that no remaining record has");
      }
      if (!hashOf(r).equals(r.hash())) {
        return AuditVerification.broken(i, AuditVerification.Problem.ALTERED, r.seq(),
            "its content does not match its hash " + r.hash());
      }
      if (r.seq() != expected) {
        return AuditVerification.broken(i, AuditVerification.Problem.ALTERED, r.seq(),
            "expected sequence number " + expected + " in an unbroken chain");
      }
      seen.put(r.hash(), i);
      prev = r.hash();
      expected = r.seq() + 1;
    }
    long count = rows.size();
    Head head = readHead();
    if (head != null) {
      long last = expected - 1;
      if (head.pendingSeq() > 0 && last == head.pendingSeq() && prev.equals(head.pendingHash())) {
        return AuditVerification.ok(count); // the server stopped between the commit and the head update
      }
      if (last < head.seq()) {
        return AuditVerification.broken(count, AuditVerification.Problem.MISSING, last + 1,
            "the head file " + HEAD_FILE + " says the log ends at record " + head.seq() + " but it ends at " + last);
      }
      if (last > head.seq()) {
        return AuditVerification.broken(count, AuditVerification.Problem.INSERTED, head.seq() + 1,
            "the head file " + HEAD_FILE + " says the log ends at record " + head.seq() + " but it goes on to " + last);
      }
      if (last > 0 && !prev.equals(head.hash())) {
        return AuditVerification.broken(count, AuditVerification.Problem.ALTERED, last,
            "its hash differs from the one in the head file " + HEAD_FILE);
      }
    }
    return AuditVerification.ok(count);
  }

  /** The hash {@code r} must carry: SHA-256 hex of its previous hash, a newline and its canonical JSON. */
  public static String hashOf(AuditRecord r) {
    Map<String, Object> fields = new TreeMap<>();
    fields.put("seq", r.seq());
    fields.put("time", r.time().toEpochMilli());
    fields.put("actor", r.actor());
    fields.put("roles", r.roles());
    fields.put("sourceIp", r.sourceIp());
    fields.put("action", r.action());
    fields.put("entity", r.entity());
    fields.put("before", r.before());
    fields.put("after", r.after());
    fields.put("result", r.result());
    fields.put("requestId", r.requestId());
    try {
      String canonical = CANONICAL.writeValueAsString(fields);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(r.prevHash().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '\n');
      return HexFormat.of().formatHex(sha.digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash audit record " + r.seq() + ": " + e.getMessage(), e);
    }
  }

  /** {@code r} with its hash computed. */
  public static AuditRecord withHash(AuditRecord r) {
    return new AuditRecord(r.seq(), r.time(), r.actor(), r.roles(), r.sourceIp(), r.action(), r.entity(), r.before(),
        r.after(), r.result(), r.requestId(), r.prevHash(), hashOf(r));
  }

  /** {@code value} as JSON with every secret-looking field replaced by {@value #REDACTED}; null stays null. */
  public static String redactedJson(Object value) {
    if (value == null) {
      return null;
    }
    JsonNode node = ConfigMapper.json().valueToTree(value);
    redact(node);
    try {
      return CANONICAL.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write audit JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static void redact(JsonNode node) {
    if (node instanceof ObjectNode o) {
      boolean secretValue = o.path("secret").asBoolean(false);
      Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
      List<String> hide = new ArrayList<>();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        boolean named = SECRET_FIELD.matcher(f.getKey()).matches() && !f.getValue().isBoolean();
        if ((named || (secretValue && f.getKey().equals("value"))) && !f.getValue().isNull()) {
          hide.add(f.getKey());
        } else {
          redact(f.getValue());
        }
      }
      hide.forEach(k -> o.put(k, REDACTED));
    } else if (node != null && node.isArray()) {
      node.forEach(AuditLog::redact);
    }
  }

  private static Object parse(String json) {
    if (json == null) {
      return null;
    }
    try {
      return ConfigMapper.json().readTree(json);
    } catch (JsonProcessingException e) {
      return json;
    }
  }

  private static AuditRecord record(ResultSet rs) throws SQLException {
    return new AuditRecord(rs.getLong("seq"), Instant.ofEpochMilli(rs.getLong("time")), rs.getString("actor"),
        rs.getString("roles"), rs.getString("source_ip"), rs.getString("action"), rs.getString("entity"),
        rs.getString("before_json"), rs.getString("after_json"), rs.getString("result"), rs.getString("request_id"),
        rs.getString("prev_hash"), rs.getString("hash"));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /**
   * The head file: the last committed record's {@code seq hash}, and while a record is being written a
   * second line {@code seq hash pending} naming it.
   */
  private record Head(long seq, String hash, long pendingSeq, String pendingHash) {}

  private Head readHead() {
    if (headFile == null || !Files.exists(headFile)) {
      return null;
    }
    try {
      List<String> lines = Files.readAllLines(headFile, StandardCharsets.UTF_8);
      String[] parts = lines.get(0).strip().split(" ");
      String[] pending = lines.size() > 1 && !lines.get(1).isBlank() ? lines.get(1).strip().split(" ") : null;
      return new Head(Long.parseLong(parts[0]), parts[1], pending == null ? 0 : Long.parseLong(pending[0]),
          pending == null ? null : pending[1]);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the audit head file " + headFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the head file {@code file} naming record {@code seq} with {@code hash} as the end of the log
   * ({@code 0} and {@link #GENESIS} for an empty log), replacing it atomically.
   */
  public static void writeHeadFile(Path file, long seq, String hash) {
    requireNonNull(file, "file");
    requireNonNull(hash, "hash");
    writeHead(file, seq + " " + hash + "\n", false);
  }

  private void writeHead(long seq, String hash, AuditRecord pending) {
    if (headFile == null) {
      return;
    }
    String text = seq + " " + hash + "\n" + (pending == null ? "" : pending.seq() + " " + pending.hash() + " pending\n");
    writeHead(headFile, text, pending != null);
  }

  /** Replaces {@code file} atomically; {@code durable} forces the new file and its directory to the disk first. */
  private static void writeHead(Path file, String text, boolean durable) {
    try {
      Path tmp = file.resolveSibling(HEAD_FILE + ".tmp");
      Files.deleteIfExists(tmp); // created anew with mode 0600; the rename keeps it
      io.gatehouse.model.storage.PrivateFiles.file(tmp);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        if (durable) {
          ch.force(true);
        }
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      if (durable) {
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
          dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
          // not every platform can sync a directory; the rename is still atomic
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the audit head file " + file, e);
    }
  }
}
