package io.gatehouse.waf;

import io.gatehouse.waf.internal.Operators;
import io.gatehouse.waf.internal.Parser;
import io.gatehouse.waf.internal.Program;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A loaded SecLang rule set (such as the OWASP Core Rule Set) that inspects requests; immutable
 * and thread-safe, so load it once per configuration and share it.
 *
 * <p>Rules run in phases 1 (request headers), 2 (request body), 3 (response headers) and 4
 * (response body). Regular expressions run on a linear-time
 * matcher, and every request has a time budget: when it runs out, inspection stops and the
 * verdict says so.
 */
public final class WafEngine {
  /** What a disruptive rule (such as the Core Rule Set's anomaly check) does when it fires. */
  public enum Mode {
    /** The request is blocked. */
    BLOCK,
    /** The match is reported only. */
    DETECT
  }

  /** The inspection time budget per request unless the builder sets another. */
  public static final Duration DEFAULT_BUDGET = Duration.ofMillis(200);

  private final Program program;

  private WafEngine(Program program) {
    this.program = program;
  }

  /** Loads rule files in order, blocking mode, default budget, no injection detector. */
  public static WafEngine load(Path... files) throws WafLoadException {
    Builder b = builder();
    for (Path f : files) {
      b.rules(f);
    }
    return b.build();
  }

  /** A builder for an engine with inline rules, a detector, a mode or a time budget. */
  public static Builder builder() {
    return new Builder();
  }

  /** Runs the request phases (1 and 2) only: shorthand for {@code begin(request).inspectRequest()}. */
  public WafVerdict inspect(WafRequest request) {
    return begin(request).inspectRequest();
  }

  /**
   * Starts a transaction for a request whose response will be inspected too; without persistent
   * collections ({@code initcol} and {@code expirevar} do nothing, {@code IP} and the others stay empty).
   */
  public WafTransaction begin(WafRequest request) {
    return new WafTransaction(program.begin(Objects.requireNonNull(request, "request")));
  }

  /**
   * Starts a transaction whose {@code initcol}, {@code setsid} and {@code setuid} open records of
   * {@code collections}, where {@code setvar} and {@code expirevar} on them persist for later
   * transactions.
   */
  public WafTransaction begin(WafRequest request, WafCollections collections) {
    io.gatehouse.waf.internal.Tx tx = program.begin(Objects.requireNonNull(request, "request"));
    tx.collections(Objects.requireNonNull(collections, "collections").store());
    return new WafTransaction(tx);
  }

  /** The number of rules loaded (chains count once, markers not at all). */
  public int ruleCount() {
    return program.ruleCount();
  }

  /** Collects rule sources in order and builds the engine. */
  public static final class Builder {
    private record Source(Path file, String name, String text) {}

    private final List<Source> sources = new ArrayList<>();
    private InjectionDetector detector = InjectionDetector.NONE;
    private Mode mode = Mode.BLOCK;
    private Duration budget = DEFAULT_BUDGET;

    private Builder() {}

    /** Adds a rule file (relative {@code @pmFromFile} data files are read beside it). */
    public Builder rules(Path file) {
      sources.add(new Source(Objects.requireNonNull(file, "file"), null, null));
      return this;
    }

    /** Adds SecLang text, named {@code name} in load errors. */
    public Builder rules(String name, String text) {
      sources.add(new Source(null, Objects.requireNonNull(name, "name"), Objects.requireNonNull(text, "text")));
      return this;
    }

    /** The detector behind {@code @detectSQLi} and {@code @detectXSS}. */
    public Builder detector(InjectionDetector detector) {
      this.detector = Objects.requireNonNull(detector, "detector");
      return this;
    }

    /** Block (the default) or detect only. */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** The inspection time budget per request (positive). */
    public Builder budget(Duration budget) {
      if (budget.isNegative() || budget.isZero()) {
        throw new IllegalArgumentException("the inspection budget must be positive");
      }
      this.budget = budget;
      return this;
    }

    /** Parses every source in order; the first error names its file and line. */
    public WafEngine build() throws WafLoadException {
      Parser parser = new Parser(new Operators(detector));
      for (Source s : sources) {
        if (s.file() != null) {
          parser.parseFile(s.file());
        } else {
          parser.parse(s.name(), s.text(), null);
        }
      }
      return new WafEngine(new Program(parser.rules(), mode == Mode.BLOCK ? "On" : "DetectionOnly", budget.toNanos()));
    }
  }
}
