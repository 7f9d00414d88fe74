package io.gatehouse.control.cluster.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.cluster.NodeInfo;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The tables {@code nodes} and {@code node_enrolment_tokens}, in whichever database the control
 * plane uses (plain SQL that SQLite and PostgreSQL both accept). Blocking: call off the event loop.
 */
public final class NodeStore {
  private final Jdbi jdbi;

  /** The tables in {@code jdbi}'s database. */
  public NodeStore(Jdbi jdbi) {
    this.jdbi = requireNonNull(jdbi, "jdbi");
  }

  /** Why a token was refused. */
  public enum TokenState {
    /** Valid: it is now used. */
    CONSUMED,
    /** No such token. */
    UNKNOWN,
    /** Used before. */
    USED,
    /** Past its expiry. */
    EXPIRED
  }

  /** Stores a new token with hash {@code hash}. */
  public void createToken(String id, String hash, String createdBy, Instant now, Instant expires) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO node_enrolment_tokens (id, token_hash, created_by, created_at,"
            + " expires_at) VALUES (:id, :hash, :by, :now, :exp)")
        .bind("id", id).bind("hash", hash).bind("by", createdBy).bind("now", now.toEpochMilli())
        .bind("exp", expires.toEpochMilli()).execute());
  }

  /**
   * Uses the token whose hash is {@code hash} for node {@code nodeId} and stores the node, in one
   * transaction: at most one caller ever gets {@link TokenState#CONSUMED} for a token.
   */
  public TokenState enrol(String hash, Instant now, NodeInfo node, String certSerial) {
    return jdbi.inTransaction(h -> {
      Optional<long[]> row = h.createQuery("SELECT expires_at, used_at FROM node_enrolment_tokens WHERE token_hash = :hash")
          .bind("hash", hash)
          .map((rs, ctx) -> new long[] {rs.getLong("expires_at"), rs.getObject("used_at") == null ? -1 : rs.getLong("used_at")})
          .findOne();
      if (row.isEmpty()) {
        return TokenState.UNKNOWN;
      }
      if (row.get()[1] >= 0) {
        return TokenState.USED;
      }
      if (row.get()[0] <= now.toEpochMilli()) {
        return TokenState.EXPIRED;
      }
      int used = h.createUpdate("UPDATE node_enrolment_tokens SET used_at = :now, node_id = :node"
              + " WHERE token_hash = :hash AND used_at IS NULL")
          .bind("now", now.toEpochMilli()).bind("node", node.id()).bind("hash", hash).execute();
      if (used != 1) {
        return TokenState.USED;
      }
      insert(h, node, certSerial);
      return TokenState.CONSUMED;
    });
  }

  private static void insert(org.jdbi.v3.core.Handle h, NodeInfo node, String certSerial) {
    h.createUpdate("INSERT INTO nodes (id, role, address, version, revision, cert_serial, enrolled_at, last_heartbeat)"
            + " VALUES (:id, :role, :address, :version, :revision, :serial, :enrolled, :hb)")
        .bind("id", node.id()).bind("role", node.role()).bind("address", node.address()).bind("version", node.version())
        .bind("revision", node.revision()).bind("serial", certSerial).bind("enrolled", node.enrolledAt().toEpochMilli())
        .bind("hb", node.lastHeartbeat() == null ? null : node.lastHeartbeat().toEpochMilli())
        .execute();
  }

  /** Records a control node's start, or its heartbeat when it is known. */
  public void controlHeartbeat(String id, String address, String version, long revision, Instant now) {
    jdbi.useTransaction(h -> {
      int n = h.createUpdate("UPDATE nodes SET address = :address, version = :version, revision = :revision,"
              + " last_heartbeat = :now WHERE id = :id")
          .bind("id", id).bind("address", address).bind("version", version).bind("revision", revision)
          .bind("now", now.toEpochMilli()).execute();
      if (n == 0) {
        insert(h, new NodeInfo(id, "control", address, revision, version, now, now, null), "");
      }
    });
  }

  /**
   * Records a gateway node's heartbeat with the backend status it reported ({@code backends}, JSON;
   * nullable: the last one stays); false when the node is unknown or revoked.
   */
  public boolean heartbeat(String id, String address, String version, long revision, Instant now, String backends) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE nodes SET address = :address, version = :version,"
            + " revision = :revision, last_heartbeat = :now, backends = COALESCE(:backends, backends)"
            + " WHERE id = :id AND revoked_at IS NULL")
        .bind("id", id).bind("address", address).bind("version", version).bind("revision", revision)
        .bind("now", now.toEpochMilli()).bind("backends", backends).execute()) == 1;
  }

  /** Whether node {@code id} holds the certificate with serial {@code serial} and is not revoked. */
  public boolean admits(String id, String serial) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM nodes WHERE id = :id AND cert_serial = :serial"
            + " AND revoked_at IS NULL AND role = 'gateway'")
        .bind("id", id).bind("serial", serial).mapTo(Integer.class).one()) == 1;
  }

  /** Revokes node {@code id}; false when there is no such live node. */
  public boolean revoke(String id, Instant now) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE nodes SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
        .bind("id", id).bind("now", now.toEpochMilli()).execute()) == 1;
  }

  private static com.fasterxml.jackson.databind.JsonNode json(String text) {
    if (text == null) {
      return null;
    }
    try {
      return io.gatehouse.model.ConfigMapper.json().readTree(text);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** Every node, enrolment order. */
  public List<NodeInfo> list() {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM nodes ORDER BY enrolled_at, id")
        .map((rs, ctx) -> new NodeInfo(rs.getString("id"), rs.getString("role"), rs.getString("address"),
            rs.getLong("revision"), rs.getString("version"), Instant.ofEpochMilli(rs.getLong("enrolled_at")),
            instant(rs, "last_heartbeat"), instant(rs, "revoked_at"), json(rs.getString("backends"))))
        .list());
  }

  /** The node {@code id}. */
  public Optional<NodeInfo> find(String id) {
    return list().stream().filter(n -> n.id().equals(id)).findFirst();
  }

  private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }
}
