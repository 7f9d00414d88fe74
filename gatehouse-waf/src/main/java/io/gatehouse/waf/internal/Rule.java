package io.gatehouse.waf.internal;

import java.util.ArrayList;
import java.util.List;

/** One parsed SecRule or SecAction (a chain link when {@link #next} is set), or a SecMarker. */
final class Rule {
  enum Disruptive { NONE, PASS, BLOCK, DENY, DROP, ALLOW, ALLOW_PHASE, ALLOW_REQUEST, REDIRECT }

  /** A non-disruptive action that runs when the rule (chain) matches, in written order. */
  record Action(String name, String value) {}

  final String source;
  final int line;
  long id;
  int phase = 2;
  boolean phaseSet;
  String marker;
  final List<Target> targets = new ArrayList<>();
  final List<Target> exclusions = new ArrayList<>();
  Operators.Operator operator;
  boolean negated;
  List<Transforms.Transform> transforms = new ArrayList<>();
  /** {@link #transforms} as a shared chain node, set when the program is built; null for none. */
  Transforms.Chain chain;
  boolean transformsReset;
  /** {@link #chain}'s id (0 for none), set when the program is built. */
  int chainId;
  /**
   * This link's number in its chain's {@link LiteralIndex}, or -1 when its operator is not an
   * indexed {@code @rx} (negated, multiMatch, macro pattern or no prefilter).
   */
  int member = -1;
  /**
   * For a {@code multiMatch} {@code @rx} the index takes: the chain id after each transformation
   * step (0 first: the value as it is) and the link's member number in that chain; else null.
   */
  int[] multiChains;
  int[] multiMembers;
  /**
   * The program's number for this link's (chain, target collections) group, whose selection over
   * all the request's values tells in one bit test that no value can match; -1 when its targets
   * read TX, matched variables or counts.
   */
  int group = -1;
  /** This rule's number in its program (0 to the number of rules and links - 1), for per-request tables. */
  int seq;
  /** For a rule with {@link #skipAfter}: the index in its phase list where evaluation resumes. */
  int resumeAt = -1;
  final List<Action> actions = new ArrayList<>();
  Disruptive disruptive = Disruptive.NONE;
  Rule next;
  boolean chained;
  int skip;
  String skipAfter;
  final List<String> tags = new ArrayList<>();
  String msg;
  String logdata;
  String severity;
  Boolean log;
  boolean capture;
  boolean multiMatch;
  /** True for SecAction (no targets, always matches). */
  boolean unconditional;

  Rule(String source, int line) {
    this.source = source;
    this.line = line;
  }

  boolean isMarker() {
    return marker != null;
  }

  boolean logs() {
    return log == null || log;
  }
}
