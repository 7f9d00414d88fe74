package io.gatehouse.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rolling-upgrade rule of docs/cluster.md, enforced: during an upgrade, servers of version N and
 * N+1 run on one PostgreSQL database, so a PostgreSQL migration may only add (tables, nullable or
 * defaulted columns, indexes). It may not drop, rename, change a column's type, make a column NOT
 * NULL, add a NOT NULL column without a default, or add a constraint to a table an older version
 * writes. A migration that must do so goes in {@link #ALLOWED} with its reason (and the release
 * notes say that this upgrade needs all servers stopped, or that the older version stops using what
 * goes first: expand, then contract a release later).
 *
 * <p>SQLite migrations are not checked: one process holds a SQLite data directory at a time (the
 * directory lock), so two versions never share one.
 */
class MigrationCompatibilityTest {
  /**
   * Why V10 re-keys the analytics table: two servers' rows for the same minute and key must be
   * distinct rows, which the previous key forbids; a previous-version server's analytics writes fail
   * until it is upgraded (docs/cluster.md, "Upgrading to per-node analytics").
   */
  private static final String ANALYTICS_PER_NODE = "per-node analytics rows need the node in the primary key";

  /** Statements allowed to break the rule, as "FILE: statement start" to the reason. Each must match a statement. */
  static final Map<String, String> ALLOWED = Map.of(
      "postgresql/V10__analytics_per_node_and_node_backends.sql: ALTER TABLE analytics DROP CONSTRAINT analytics_pkey",
      ANALYTICS_PER_NODE,
      "postgresql/V10__analytics_per_node_and_node_backends.sql: ALTER TABLE analytics ADD PRIMARY KEY",
      ANALYTICS_PER_NODE,
      "postgresql/V10__analytics_per_node_and_node_backends.sql: DROP INDEX analytics_rollup_counts",
      ANALYTICS_PER_NODE);

  record Problem(String file, String statement, String rule) {
    String key() {
      return file + ": " + statement;
    }
  }

  private static final Pattern CREATE_TABLE = Pattern.compile("^CREATE TABLE (?:IF NOT EXISTS )?(\\w+)");
  private static final Pattern ALTER_TABLE = Pattern.compile("^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?(\\w+) (.*)$");
  private static final Pattern CREATE_UNIQUE_INDEX =
      Pattern.compile("^CREATE UNIQUE INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?\\w+ ON (?:ONLY )?(\\w+)");

  /**
   * The problems of one migration's {@code sql}, given the tables created by earlier migrations
   * ({@code existing}, to which this adds the tables it creates).
   */
  static List<Problem> problems(String file, String sql, Set<String> existing) {
    List<Problem> found = new ArrayList<>();
    Set<String> createdHere = new HashSet<>();
    for (String statement : statements(sql)) {
      String s = statement.toUpperCase(Locale.ROOT);
      Matcher create = CREATE_TABLE.matcher(s);
      if (create.find()) {
        createdHere.add(create.group(1).toLowerCase(Locale.ROOT));
        continue;
      }
      if (s.startsWith("DROP ")) {
        found.add(new Problem(file, statement, "drops what the previous version may use"));
        continue;
      }
      if (Pattern.compile("\\bRENAME\\b").matcher(s).find()) {
        found.add(new Problem(file, statement, "renames what the previous version uses by its old name"));
        continue;
      }
      Matcher unique = CREATE_UNIQUE_INDEX.matcher(s);
      if (unique.find() && existing.contains(unique.group(1).toLowerCase(Locale.ROOT))) {
        found.add(new Problem(file, statement, "adds a uniqueness rule the previous version's writes may break"));
        continue;
      }
      Matcher alter = ALTER_TABLE.matcher(s);
      if (!alter.find()) {
        continue;
      }
      String table = alter.group(1).toLowerCase(Locale.ROOT);
      boolean older = existing.contains(table) && !createdHere.contains(table);
      for (String action : alter.group(2).split(",(?![^()]*\\))")) {
        String a = action.strip();
        if (a.startsWith("DROP ")) {
          found.add(new Problem(file, statement, "drops what the previous version may use"));
        } else if (a.matches("ALTER (COLUMN )?\\w+ (SET DATA )?TYPE .*")) {
          found.add(new Problem(file, statement, "changes a column's type under the previous version"));
        } else if (a.matches("ALTER (COLUMN )?\\w+ SET NOT NULL.*")) {
          found.add(new Problem(file, statement, "makes a column NOT NULL that the previous version leaves empty"));
        } else if (older && a.startsWith("ADD ") && a.contains("NOT NULL") && !a.contains(" DEFAULT ")
            && !a.startsWith("ADD CONSTRAINT") && !a.startsWith("ADD PRIMARY KEY")) {
          found.add(new Problem(file, statement, "adds a NOT NULL column without a default: the previous version's"
              + " inserts fail"));
        } else if (older && (a.startsWith("ADD CONSTRAINT") || a.startsWith("ADD PRIMARY KEY")
            || a.startsWith("ADD UNIQUE") || a.startsWith("ADD CHECK") || a.startsWith("ADD FOREIGN KEY"))) {
          found.add(new Problem(file, statement, "adds a constraint the previous version's writes may break"));
        }
      }
    }
    existing.addAll(createdHere);
    return found;
  }

  /** The statements of {@code sql}: comments removed, split at semicolons outside quotes, whitespace folded. */
  static List<String> statements(String sql) {
    StringBuilder clean = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (!quoted && c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
        while (i < sql.length() && sql.charAt(i) != '\n') {
          i++;
        }
        clean.append(' ');
        continue;
      }
      if (!quoted && c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? sql.length() : end + 1;
        clean.append(' ');
        continue;
      }
      if (c == '\'') {
        quoted = !quoted;
      }
      clean.append(!quoted && c == ';' ? '\u0000' : c);
    }
    List<String> out = new ArrayList<>();
    for (String s : clean.toString().split("\u0000")) {
      String folded = s.replaceAll("\\s+", " ").strip();
      if (!folded.isEmpty()) {
        out.add(folded);
      }
    }
    return out;
  }

  static List<Path> migrations(String dialect) throws IOException, URISyntaxException {
    Path dir = Path.of(MigrationCompatibilityTest.class.getResource("/io/gatehouse/control/migration/" + dialect).toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
          .sorted(Comparator.comparingInt(f -> Integer.parseInt(f.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1"))))
          .toList();
    }
  }

  @Test
  void everyPostgresqlMigrationOnlyAddsSoThatThePreviousVersionKeepsWorkingDuringARollingUpgrade() throws Exception {
    List<Path> files = migrations("postgresql");
    assertThat(files).hasSizeGreaterThanOrEqualTo(8);
    Set<String> existing = new HashSet<>();
    List<Problem> found = new ArrayList<>();
    for (Path f : files) {
      found.addAll(problems("postgresql/" + f.getFileName(), Files.readString(f, StandardCharsets.UTF_8), existing));
    }
    assertThat(existing).as("the tables the migrations create").contains("revisions", "nodes", "audit_log");
    List<String> refused = found.stream().filter(p -> ALLOWED.keySet().stream().noneMatch(k -> p.key().startsWith(k)))
        .map(p -> p.key() + "\n    -> " + p.rule()).toList();
    assertThat(refused).as("schema changes the previous version cannot run with (expand now, contract a release"
        + " later; or add to ALLOWED with the reason)").isEmpty();
    for (String allowed : ALLOWED.keySet()) {
      assertThat(found).as("allow-list entry still needed: " + allowed).anyMatch(p -> p.key().startsWith(allowed));
    }
  }

  @Test
  void refusesEachKindOfChangeThatBreaksThePreviousVersion() {
    Set<String> existing = new HashSet<>(Set.of("apis", "nodes"));
    Map<String, String> bad = Map.of(
        "DROP TABLE apis;", "drops",
        "ALTER TABLE apis DROP COLUMN name;", "drops",
        "alter table apis rename column name to title;", "renames",
        "ALTER TABLE apis RENAME TO services;", "renames",
        "ALTER TABLE apis ALTER COLUMN size TYPE BIGINT;", "type",
        "ALTER TABLE apis ALTER COLUMN size SET DATA TYPE BIGINT;", "type",
        "ALTER TABLE apis ALTER COLUMN owner SET NOT NULL;", "NOT NULL",
        "ALTER TABLE apis ADD COLUMN owner TEXT NOT NULL;", "NOT NULL",
        "ALTER TABLE nodes ADD CONSTRAINT one UNIQUE (address);", "constraint",
        "CREATE UNIQUE INDEX nodes_address ON nodes (address);", "uniqueness");
    bad.forEach((sql, rule) -> assertThat(problems("V99__x.sql", sql, new HashSet<>(existing)))
        .as(sql).singleElement().satisfies(p -> assertThat(p.rule()).contains(rule)));
  }

  @Test
  void acceptsAdditiveChangesAndTheirComments() {
    Set<String> existing = new HashSet<>(Set.of("apis"));
    String sql = """
        -- DROP TABLE apis; (a comment: DROP and RENAME here mean nothing)
        /* ALTER TABLE apis RENAME TO x; */
        CREATE TABLE owners (id TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL);
        ALTER TABLE owners ADD COLUMN team TEXT NOT NULL;
        ALTER TABLE apis ADD COLUMN owner TEXT;
        ALTER TABLE apis ADD COLUMN weight INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX apis_owner ON apis (owner);
        CREATE UNIQUE INDEX owners_name ON owners (name);
        INSERT INTO owners (id, name) VALUES ('x', 'it''s; fine');
        """;
    assertThat(problems("V99__x.sql", sql, existing)).isEmpty();
    assertThat(existing).contains("owners");
  }
}
