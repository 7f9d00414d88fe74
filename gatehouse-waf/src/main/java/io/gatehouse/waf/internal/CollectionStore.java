package io.gatehouse.waf.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Persistent collections ({@code IP}, {@code SESSION}, {@code USER}, {@code GLOBAL}, {@code
 * RESOURCE}) kept in memory and shared by every transaction that uses the store: records keyed by
 * collection and key (such as {@code IP} and {@code 192.0.2.1}), each a map of variables.
 *
 * <p>Bounded: at most {@code maxRecords} records (the least recently used is evicted first), at
 * most {@link #MAX_VARIABLES} variables per record (further new names are ignored) and values of at
 * most {@link #MAX_VALUE_CHARS} characters (longer ones are cut). A record untouched for its
 * timeout is gone; a variable given an {@code expirevar} is gone once it expires.
 *
 * <p>Thread-safe: each read or update holds the store's lock for its own duration only, so a
 * counter incremented by concurrent requests counts every increment.
 */
public final class CollectionStore {
  /** Variables per record. */
  public static final int MAX_VARIABLES = 256;
  /** Characters per value. */
  public static final int MAX_VALUE_CHARS = 4096;

  private static final class Value {
    String text;
    long expiresAt; // monotonic millis; 0 = never

    Value(String text) {
      this.text = text;
    }
  }

  private static final class Record {
    final Map<String, Value> vars = new LinkedHashMap<>();
    long touched;
  }

  private final int maxRecords;
  private final long timeoutMillis;
  private final LongSupplier nowMillis;
  private final LinkedHashMap<String, Record> records = new LinkedHashMap<>(64, 0.75f, true);
  private long evicted;

  /**
   * A store of at most {@code maxRecords} records that expire {@code timeoutMillis} after their
   * last use, on the monotonic clock {@code nowMillis}.
   */
  public CollectionStore(int maxRecords, long timeoutMillis, LongSupplier nowMillis) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
    }
    if (timeoutMillis < 1) {
      throw new IllegalArgumentException("the record timeout must be positive, got " + timeoutMillis + " ms");
    }
    this.maxRecords = maxRecords;
    this.timeoutMillis = timeoutMillis;
    this.nowMillis = java.util.Objects.requireNonNull(nowMillis, "nowMillis");
  }

  private static String id(String collection, String key) {
    return collection + '\u0000' + key;
  }

  /** Opens (creating when absent or expired) the record of {@code key} in {@code collection}. */
  public synchronized void open(String collection, String key) {
    record(collection, key, true);
  }

  /** The live record, touched; created when {@code create}, else null when absent. */
  private Record record(String collection, String key, boolean create) {
    long now = nowMillis.getAsLong();
    String id = id(collection, key);
    Record r = records.get(id);
    if (r != null && now - r.touched >= timeoutMillis) {
      records.remove(id);
      r = null;
    }
    if (r == null) {
      if (!create) {
        return null;
      }
      sweep(now);
      r = new Record();
      records.put(id, r);
      while (records.size() > maxRecords) {
        Iterator<Map.Entry<String, Record>> it = records.entrySet().iterator();
        it.next();
        it.remove();
        evicted++;
      }
    }
    r.touched = now;
    return r;
  }

  /** Drops expired records at the least recently used end (a few per call, so the cost stays flat). */
  private void sweep(long now) {
    Iterator<Map.Entry<String, Record>> it = records.entrySet().iterator();
    for (int i = 0; i < 8 && it.hasNext(); i++) {
      if (now - it.next().getValue().touched >= timeoutMillis) {
        it.remove();
      } else {
        return;
      }
    }
  }

  private static Value live(Record r, String name, long now) {
    Value v = r.vars.get(name);
    if (v != null && v.expiresAt != 0 && now - v.expiresAt >= 0) {
      r.vars.remove(name);
      return null;
    }
    return v;
  }

  /** The variables of a record, names in lower case, as (name, value) pairs; empty when absent. */
  public synchronized List<Map.Entry<String, String>> entries(String collection, String key) {
    Record r = record(collection, key, false);
    if (r == null) {
      return List.of();
    }
    long now = nowMillis.getAsLong();
    List<Map.Entry<String, String>> out = new ArrayList<>(r.vars.size());
    for (String name : new ArrayList<>(r.vars.keySet())) {
      Value v = live(r, name, now);
      if (v != null) {
        out.add(Map.entry(name, v.text));
      }
    }
    return out;
  }

  /** Sets {@code name} (lower case) to {@code value}. */
  public synchronized void set(String collection, String key, String name, String value) {
    Record r = record(collection, key, true);
    Value v = live(r, name, nowMillis.getAsLong());
    String text = value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) : value;
    if (v != null) {
      v.text = text;
    } else if (r.vars.size() < MAX_VARIABLES) {
      r.vars.put(name, new Value(text));
    }
  }

  /** Adds {@code delta} to the number in {@code name} (0 when absent or not a number), atomically. */
  public synchronized void add(String collection, String key, String name, long delta) {
    Record r = record(collection, key, true);
    Value v = live(r, name, nowMillis.getAsLong());
    if (v == null) {
      if (r.vars.size() < MAX_VARIABLES) {
        r.vars.put(name, new Value(Long.toString(delta)));
      }
      return;
    }
    v.text = Long.toString(Operators.num(v.text) + delta);
  }

  /** Removes {@code name}. */
  public synchronized void delete(String collection, String key, String name) {
    Record r = record(collection, key, false);
    if (r != null) {
      r.vars.remove(name);
    }
  }

  /** Makes {@code name} expire {@code seconds} from now (it must exist; a later set keeps the expiry). */
  public synchronized void expire(String collection, String key, String name, long seconds) {
    Record r = record(collection, key, false);
    if (r == null) {
      return;
    }
    long now = nowMillis.getAsLong();
    Value v = live(r, name, now);
    if (v != null) {
      v.expiresAt = now + Math.max(0, seconds) * 1000;
      if (v.expiresAt == 0) {
        v.expiresAt = 1;
      }
    }
  }

  /** How many records the store holds (expired ones not yet swept included). */
  public synchronized int size() {
    return records.size();
  }

  /** How many records were evicted because the store was full. */
  public synchronized long evicted() {
    return evicted;
  }
}
