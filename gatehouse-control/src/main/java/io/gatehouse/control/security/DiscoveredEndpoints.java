package io.gatehouse.control.security;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.insight.discovery.ObservedEndpoint;
import io.gatehouse.insight.sensitive.SensitiveType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * The endpoints that every server sharing one database observed (table {@code discovered_endpoints}):
 * each server {@linkplain #publish publishes} its own observations under its node name, one row per
 * endpoint, and reads the {@linkplain #others other nodes'} to answer discovery for the whole
 * cluster. A node writes at most {@link #MAX_ENDPOINTS} endpoints, and only those that changed since
 * its last publication. Thread-safe.
 */
public final class DiscoveredEndpoints {
  /** The most endpoints one node writes. */
  public static final int MAX_ENDPOINTS = 10_000;
  /** The most names (query parameters, JSON fields) kept per endpoint and node. */
  static final int MAX_NAMES = 100;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Jdbi jdbi;
  private final String node;
  private final Clock clock;
  private final Map<String, ObservedEndpoint> published = new HashMap<>();

  /** The observations in {@code jdbi}'s database (schema migrated), this server's written as {@code node}. */
  public DiscoveredEndpoints(Jdbi jdbi, String node, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi");
    this.node = requireNonNull(node, "node");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Writes those of {@code endpoints} (all this node observed) that changed since the last call,
   * in one transaction; returns how many were written. An endpoint beyond {@link #MAX_ENDPOINTS} is
   * not written.
   */
  public synchronized int publish(List<ObservedEndpoint> endpoints) {
    List<ObservedEndpoint> changed = new ArrayList<>();
    for (ObservedEndpoint e : endpoints) {
      String key = key(e.api(), e.method(), e.template());
      ObservedEndpoint before = published.get(key);
      if (before == null ? published.size() < MAX_ENDPOINTS : !before.equals(e)) {
        changed.add(e);
      }
    }
    if (changed.isEmpty()) {
      return 0;
    }
    long now = clock.millis();
    jdbi.useTransaction(h -> {
      for (ObservedEndpoint e : changed) {
        h.createUpdate("INSERT INTO discovered_endpoints (node, endpoint, api, last_seen, updated_at, data)"
                + " VALUES (:node, :endpoint, :api, :last, :now, :data)"
                + " ON CONFLICT (node, endpoint) DO UPDATE SET last_seen = excluded.last_seen,"
                + " updated_at = excluded.updated_at, data = excluded.data")
            .bind("node", node).bind("endpoint", key(e.api(), e.method(), e.template())).bind("api", e.api())
            .bind("last", e.lastSeen().toEpochMilli()).bind("now", now).bind("data", json(e)).execute();
      }
    });
    for (ObservedEndpoint e : changed) { // only once the transaction committed
      published.put(key(e.api(), e.method(), e.template()), e);
    }
    return changed.size();
  }

  /** The endpoints of {@code api} that the other nodes observed, as they last published them (one entry per node). */
  public List<ObservedEndpoint> others(String api) {
    requireNonNull(api, "api");
    return jdbi.withHandle(h -> h.createQuery("SELECT data FROM discovered_endpoints WHERE api = :api AND node <> :node")
        .bind("api", api).bind("node", node).mapTo(String.class).list()).stream()
        .map(DiscoveredEndpoints::parse).filter(e -> e.api().equals(api)).toList();
  }

  private static String key(String api, String method, String template) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest((api + "\n" + method + "\n" + template).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  static String json(ObservedEndpoint e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("api", e.api());
    o.put("method", e.method());
    o.put("template", e.template());
    o.put("firstSeen", e.firstSeen().toEpochMilli());
    o.put("lastSeen", e.lastSeen().toEpochMilli());
    o.put("calls", e.calls());
    ObjectNode statuses = o.putObject("statuses");
    new TreeMap<>(e.statusCounts()).forEach((k, v) -> statuses.put(Integer.toString(k), v));
    o.put("authenticated", e.authenticatedCalls());
    o.put("anonymous", e.anonymousCalls());
    e.queryParameters().stream().sorted().limit(MAX_NAMES).forEach(o.withArray("params")::add);
    e.jsonFields().stream().sorted().limit(MAX_NAMES).forEach(o.withArray("fields")::add);
    e.sensitiveInRequests().forEach(t -> o.withArray("sensitiveInRequests").add(t.id()));
    e.sensitiveInResponses().forEach(t -> o.withArray("sensitiveInResponses").add(t.id()));
    o.put("droppedNames", e.droppedNames());
    return o.toString();
  }

  static ObservedEndpoint parse(String data) {
    try {
      JsonNode o = JSON.readTree(data);
      Map<Integer, Long> statuses = new TreeMap<>();
      o.path("statuses").fields().forEachRemaining(s -> statuses.put(Integer.parseInt(s.getKey()), s.getValue().asLong()));
      return new ObservedEndpoint(o.get("api").asText(), o.get("method").asText(), o.get("template").asText(),
          Instant.ofEpochMilli(o.get("firstSeen").asLong()), Instant.ofEpochMilli(o.get("lastSeen").asLong()),
          o.path("calls").asLong(), Map.copyOf(statuses), o.path("authenticated").asLong(),
          o.path("anonymous").asLong(), names(o.path("params")), names(o.path("fields")),
          types(o.path("sensitiveInRequests")), types(o.path("sensitiveInResponses")), o.path("droppedNames").asLong());
    } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
      throw new IllegalStateException("unreadable discovered endpoint: " + e.getMessage(), e);
    }
  }

  private static Set<String> names(JsonNode array) {
    Set<String> out = new LinkedHashSet<>();
    array.forEach(n -> out.add(n.asText()));
    return Set.copyOf(out);
  }

  private static Set<SensitiveType> types(JsonNode array) {
    EnumSet<SensitiveType> out = EnumSet.noneOf(SensitiveType.class);
    array.forEach(n -> out.add(SensitiveType.fromId(n.asText())));
    return out.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(out);
  }
}
