package io.gatehouse.waf.internal;

import io.gatehouse.waf.WafRequest;
import io.gatehouse.waf.WafVerdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** One request's run through a {@link Program}: its variables, TX collection and match state. */
public final class Tx {
  /**
   * One element of a collection: its key (null for single values), byte-string value, and its
   * number in the request ({@code slot}), under which its transformed forms are kept.
   */
  record Entry(String key, String value, int slot) {}

  /**
   * One resolved target value: its full name (e.g. {@code ARGS:id}) and value, and the slot of the
   * stored element it is (-1 for computed values: TX, counts, matched variables).
   */
  record Var(String collection, String key, String value, int slot) {
    Var(String collection, String key, String value) {
      this(collection, key, value, -1);
    }

    String name() {
      return key == null ? collection : collection + ":" + key;
    }
  }

  private final Program program;
  private final WafRequest request;
  private long deadline;
  private boolean blocked;
  private boolean budgetExceeded;
  /** An {@code allow} ended all inspection (or a block did). */
  private boolean finished;
  final Map<String, List<Entry>> vars = new HashMap<>();
  final Map<String, String> txVars = new LinkedHashMap<>();
  private final Map<Long, io.gatehouse.waf.WafMatch> matches = new LinkedHashMap<>();
  private String headVariable;
  private List<Var> matched = List.of();
  private Rule current;
  private boolean captureWanted;
  String bodyProcessor;
  String contentType;
  boolean bodyAccess = true;
  private boolean engineOff;
  private final Set<Long> removedIds = new java.util.HashSet<>();
  /** Transformed values of computed (slot-less) values, per chain. */
  private final Map<Transforms.Chain, Map<String, String>> transformCache = new java.util.IdentityHashMap<>();
  /**
   * Slots given to stored elements so far: one per distinct value, since what a slot keys (the
   * value through a chain, its index selection) depends on the value only.
   */
  private int slots;
  private final Map<String, Integer> slotOf = new HashMap<>(128);
  /** Bumped whenever a stored variable changes (between phases), so group selections are redone. */
  private int varsVersion;
  /** Per chain id and slot: the element's value through the chain, and its index selection. */
  private final String[][] transformedBySlot;
  private final long[][][] selectionBySlot;
  /** Per slot: its value's {@link Transforms#shape} (three longs; flags 0 until computed). */
  private long[] shapes = new long[0];
  private final long[] shapeOut = new long[3];
  /** Per group: the union of its values' selections, and the {@link #varsVersion} it was made at. */
  private final long[][] groupSelection;
  private final Map<String, List<Var>> wholeLists = new HashMap<>();
  /**
   * The index literals each distinct value instance holds: transformations return their input
   * when they change nothing, so most values are scanned once whatever the chains.
   */
  private final Map<String, LiteralIndex.Found> literalsFound = new java.util.IdentityHashMap<>(256);
  private int wholeVersion = -1;
  private final int[] groupVersion;
  private final List<java.util.function.Predicate<Rule>> removedRules = new ArrayList<>();
  private final List<Map.Entry<java.util.function.Predicate<Rule>, Target>> removedTargets = new ArrayList<>();

  /** The persistent collections' store; null when the transaction has none. */
  private CollectionStore store;
  /** The records this transaction opened: collection name (upper case) to key. */
  private Map<String, String> opened = Map.of();

  Tx(Program program, WafRequest request) {
    this.program = program;
    this.request = request;
    this.finished = !program.enabled();
    this.transformedBySlot = new String[program.chainCount()][];
    this.selectionBySlot = new long[program.chainCount()][][];
    this.groupSelection = new long[program.groupCount()][];
    this.groupVersion = new int[program.groupCount()];
    RequestVariables.populate(this, request);
  }

  /** Lets {@code initcol}, {@code setsid} and {@code setuid} open records of {@code store}. */
  public void collections(CollectionStore store) {
    this.store = store;
  }

  /** The persistent collections a rule can open. */
  static boolean persistent(String collection) {
    return switch (collection) {
      case "IP", "SESSION", "USER", "GLOBAL", "RESOURCE" -> true;
      default -> false;
    };
  }

  /** Opens the record {@code key} of {@code collection} (upper case) for the rest of the transaction. */
  private void open(String collection, String key) {
    if (store == null || !persistent(collection) || key.isEmpty()) {
      return;
    }
    if (opened.isEmpty()) {
      opened = new HashMap<>(4);
    }
    opened.put(collection, key);
    store.open(collection, key);
  }

  long deadline() {
    return deadline;
  }

  boolean wantsCapture() {
    return captureWanted;
  }

  void captured(List<String> groups) {
    if (!captureWanted) {
      return;
    }
    for (int i = 0; i < groups.size() && i < 10; i++) {
      txVars.put(Integer.toString(i), groups.get(i));
    }
  }

  void set(String name, String value) {
    List<Entry> l = new ArrayList<>(1);
    l.add(new Entry(null, value, slot(value)));
    vars.put(name, l);
    varsVersion++;
  }

  void add(String collection, String key, String value) {
    vars.computeIfAbsent(collection, k -> new ArrayList<>()).add(new Entry(key, value, slot(value)));
    varsVersion++;
  }

  /** The slot of a stored value: the same for equal values. */
  private int slot(String value) {
    Integer s = slotOf.get(value);
    if (s == null) {
      s = slots++;
      slotOf.put(value, s);
    }
    return s;
  }

  String scalar(String name) {
    List<Entry> l = vars.get(name);
    return l == null || l.isEmpty() ? "" : l.get(0).value();
  }

  /** Phases 1 and 2. */
  public WafVerdict runRequest() {
    run(1, 2, () -> BodyProcessors.process(this, request));
    return verdict();
  }

  /** Phases 3 and 4, with the response's variables. */
  public WafVerdict runResponse(io.gatehouse.waf.WafResponse response) {
    ResponseVariables.populate(this, response);
    run(3, 4, () -> ResponseVariables.body(this, response));
    return verdict();
  }

  private void run(int first, int last, Runnable beforeLast) {
    if (finished) {
      return;
    }
    deadline = System.nanoTime() + program.budgetNanos();
    try {
      for (int phase = first; phase <= last && !engineOff; phase++) {
        if (phase == last) {
          beforeLast.run();
        }
        Outcome o = runPhase(phase);
        if (o == Outcome.BLOCK) {
          blocked = true;
          finished = true;
          return;
        }
        if (o == Outcome.ALLOW_ALL) {
          finished = true;
          return;
        }
        if (o == Outcome.ALLOW_REQUEST) {
          return;
        }
      }
    } catch (Regex.BudgetExceeded e) {
      budgetExceeded = true;
    }
  }

  private WafVerdict verdict() {
    String in = txVars.getOrDefault("blocking_inbound_anomaly_score", txVars.getOrDefault("anomaly_score", "0"));
    String out = txVars.getOrDefault("blocking_outbound_anomaly_score", txVars.getOrDefault("outbound_anomaly_score", "0"));
    return new WafVerdict(new ArrayList<>(matches.values()), (int) Operators.num(in), (int) Operators.num(out), blocked,
        budgetExceeded);
  }

  private enum Outcome { CONTINUE, BLOCK, ALLOW_ALL, ALLOW_REQUEST }

  private Outcome runPhase(int phase) {
    List<Rule> list = program.phase(phase);
    int i = 0;
    while (i < list.size()) {
      if (engineOff) {
        return Outcome.ALLOW_ALL;
      }
      Rule r = list.get(i);
      if (r.isMarker() || isRemoved(r)) {
        i++;
        continue;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new Regex.BudgetExceeded();
      }
      if (!evalChain(r)) {
        i++;
        continue;
      }
      if (r.logs() && r.id != 0) {
        matches.putIfAbsent(r.id, new io.gatehouse.waf.WafMatch(r.id, headVariable, r.tags));
      }
      switch (r.disruptive) {
        case DENY, DROP, REDIRECT -> {
          if (program.blocking()) {
            return Outcome.BLOCK;
          }
        }
        case ALLOW -> {
          if (program.blocking()) {
            return Outcome.ALLOW_ALL;
          }
        }
        case ALLOW_PHASE -> {
          if (program.blocking()) {
            return Outcome.CONTINUE;
          }
        }
        case ALLOW_REQUEST -> {
          if (program.blocking() && phase <= 2) {
            return Outcome.ALLOW_REQUEST;
          }
        }
        default -> { }
      }
      if (r.skipAfter != null) {
        i = r.resumeAt;
        continue;
      }
      if (r.skip > 0) {
        int skipped = 0;
        i++;
        while (i < list.size() && skipped < r.skip) {
          if (!list.get(i).isMarker()) {
            skipped++;
          }
          i++;
        }
        continue;
      }
      i++;
    }
    return Outcome.CONTINUE;
  }

  private boolean isRemoved(Rule r) {
    if (!removedIds.isEmpty() && removedIds.contains(r.id)) {
      return true;
    }
    for (java.util.function.Predicate<Rule> p : removedRules) {
      if (p.test(r)) {
        return true;
      }
    }
    return false;
  }

  private boolean evalChain(Rule r) {
    for (Rule link = r; link != null; link = link.next) {
      current = r;
      if (!evalRule(link, r)) {
        return false;
      }
      if (link == r) {
        headVariable = r.unconditional || matched.isEmpty() ? "" : matched.get(matched.size() - 1).name();
      }
      if (link.next == null) {
        runActions(link);
      }
    }
    return true;
  }

  private boolean evalRule(Rule link, Rule head) {
    if (link.unconditional) {
      return true;
    }
    if (link.group >= 0 && !LiteralIndex.selected(groupSelection(link.group), link.member)) {
      // no value of the collections it reads passes its prefilter: nothing can match
      return false;
    }
    List<Var> candidates = resolve(link, head);
    List<Var> hits = null;
    captureWanted = link.capture;
    try {
      for (Var v : candidates) {
        String value = v.value();
        boolean hit = false;
        if (link.member >= 0 && v.slot() >= 0) {
          if (LiteralIndex.selected(selection(link.chainId, v), link.member)) {
            value = transformed(link.chainId, v);
            hit = ((Operators.Rx) link.operator).regex().run(this, value);
          }
        } else if (link.multiChains != null) {
          // multiMatch: the regex on the value after each step, where that step's selection has it
          Regex re = ((Operators.Rx) link.operator).regex();
          LiteralIndex.Scratch scratch = program.scratch();
          for (int k = 0; !hit && k < link.multiChains.length; k++) {
            int chainId = link.multiChains[k];
            if (v.slot() >= 0) {
              if (LiteralIndex.selected(selection(chainId, v), link.multiMembers[k])) {
                value = transformed(chainId, v);
                hit = re.run(this, value);
              }
            } else {
              String step = transformed(program.chain(chainId), v.value());
              if (LiteralIndex.selected(program.index().select(chainId, found(step, scratch), scratch),
                  link.multiMembers[k])) {
                value = step;
                hit = re.run(this, value);
              }
            }
          }
        } else if (link.multiMatch) {
          hit = link.operator.match(this, value) != link.negated;
          for (int t = 0; !hit && t < link.transforms.size(); t++) {
            value = link.transforms.get(t).apply(value);
            hit = link.operator.match(this, value) != link.negated;
          }
        } else if (link.member >= 0) {
          // a computed value (TX, matched variables): one literal scan per value instance serves
          // every indexed pattern that reads it, instead of one per pattern
          value = transformed(link.chain, value);
          LiteralIndex.Scratch scratch = program.scratch();
          hit = LiteralIndex.selected(program.index().select(link.chainId, found(value, scratch), scratch), link.member)
              && ((Operators.Rx) link.operator).regex().run(this, value);
        } else {
          value = v.slot() >= 0 ? transformed(link.chainId, v) : transformed(link.chain, value);
          hit = link.operator.match(this, value) != link.negated;
        }
        if (hit) {
          // MATCHED_VAR is the value as the operator saw it (after the transformations)
          Var m = new Var(v.collection(), v.key(), value);
          if (hits == null) {
            hits = new ArrayList<>();
          }
          hits.add(m);
          if (link.next != null) {
            // a chain link's actions run per matched value, before the next link reads them
            matched = List.of(m);
            runActions(link);
          }
        }
      }
    } finally {
      captureWanted = false;
    }
    if (hits == null) {
      return false;
    }
    matched = hits;
    return true;
  }

  /** A stored element's value through chain {@code chainId}, computed once per request. */
  private String transformed(int chainId, Var v) {
    if (chainId == 0) {
      return v.value();
    }
    String[] bySlot = transformedBySlot[chainId];
    if (bySlot == null || bySlot.length <= v.slot()) {
      bySlot = transformedBySlot[chainId] = java.util.Arrays.copyOf(bySlot == null ? new String[0] : bySlot,
          Math.max(slots, v.slot() + 1));
    }
    String out = bySlot[v.slot()];
    if (out == null) {
      Transforms.Chain c = program.chain(chainId);
      String in = c.prefix() == null ? v.value() : transformed(c.prefix().id(), v);
      out = c.last().apply(in);
      bySlot[v.slot()] = out;
    }
    return out;
  }

  /** The index members of chain {@code chainId} whose prefilter lets a stored element through. */
  private long[] selection(int chainId, Var v) {
    long[][] bySlot = selectionBySlot[chainId];
    if (bySlot == null || bySlot.length <= v.slot()) {
      bySlot = selectionBySlot[chainId] = java.util.Arrays.copyOf(bySlot == null ? new long[0][] : bySlot,
          Math.max(slots, v.slot() + 1));
    }
    long[] out = bySlot[v.slot()];
    if (out == null) {
      LiteralIndex.Scratch scratch = program.scratch();
      int slot = v.slot();
      if (shapes.length < 3 * (slot + 1)) {
        shapes = java.util.Arrays.copyOf(shapes, 3 * Math.max(slots, slot + 1));
      }
      if (shapes[3 * slot + 2] == 0) {
        Transforms.shape(v.value(), shapeOut);
        System.arraycopy(shapeOut, 0, shapes, 3 * slot, 3);
      }
      if (program.inert(chainId).holds(shapes[3 * slot], shapes[3 * slot + 1], (int) shapes[3 * slot + 2])) {
        // the chain changes at most the case of ASCII letters: the value holds the same literals
        out = program.index().select(chainId, found(v.value(), scratch), scratch);
        bySlot[slot] = out;
        return out;
      }
      String value = transformed(chainId, v);
      out = program.index().select(chainId, found(value, scratch), scratch);
      bySlot[v.slot()] = out;
    }
    return out;
  }

  /** The index literals a value instance holds (one scan per instance). */
  private LiteralIndex.Found found(String value, LiteralIndex.Scratch scratch) {
    LiteralIndex.Found found = literalsFound.get(value);
    if (found == null) {
      found = program.index().scan(value, scratch);
      literalsFound.put(value, found);
    }
    return found;
  }

  /** The union of the selections of every value of a group's collections (made once per phase). */
  private long[] groupSelection(int group) {
    long[] sel = groupSelection[group];
    if (sel != null && groupVersion[group] == varsVersion) {
      return sel;
    }
    int chainId = program.groupChain(group);
    LiteralIndex index = program.index();
    sel = LiteralIndex.NONE;
    for (String c : program.groupCollections(group)) {
      for (Var v : whole(c)) {
        sel = index.or(chainId, sel, selection(chainId, v));
      }
    }
    groupSelection[group] = sel;
    groupVersion[group] = varsVersion;
    return sel;
  }

  /**
   * {@code value} through a transformation chain, computed once per request for each chain prefix
   * (the program shares one node per distinct prefix) and value instance: transformations are pure.
   */
  private String transformed(Transforms.Chain chain, String value) {
    if (chain == null) {
      return value;
    }
    Map<String, String> cache = transformCache.get(chain);
    if (cache == null) {
      cache = new java.util.IdentityHashMap<>();
      transformCache.put(chain, cache);
    }
    String out = cache.get(value);
    if (out == null) {
      out = chain.last().apply(transformed(chain.prefix(), value));
      cache.put(value, out);
    }
    return out;
  }

  private List<Var> resolve(Rule link, Rule head) {
    // the ctl target removals that apply to this rule, decided once rather than per value
    List<Target> removed = List.of();
    for (Map.Entry<java.util.function.Predicate<Rule>, Target> e : removedTargets) {
      if (e.getKey().test(head)) {
        if (removed.isEmpty()) {
          removed = new ArrayList<>();
        }
        removed.add(e.getValue());
      }
    }
    boolean filter = !link.exclusions.isEmpty() || !removed.isEmpty();
    if (!filter && link.targets.size() == 1 && !link.targets.get(0).count) {
      return elements(link.targets.get(0));
    }
    List<Var> out = new ArrayList<>();
    for (Target t : link.targets) {
      List<Var> elements = elements(t);
      if (t.count) {
        out.add(new Var(t.collection, null, Integer.toString(elements.size())));
        continue;
      }
      if (!filter) {
        out.addAll(elements);
        continue;
      }
      for (Var v : elements) {
        if (!excluded(link.exclusions, v) && !excluded(removed, v)) {
          out.add(v);
        }
      }
    }
    return out;
  }

  private static boolean excluded(List<Target> exclusions, Var v) {
    for (Target e : exclusions) {
      if (e.covers(v.collection(), v.key())) {
        return true;
      }
    }
    return false;
  }

  /** Every element of a stored collection (a shared list, made once per {@link #varsVersion}). */
  private List<Var> whole(String c) {
    if (wholeVersion != varsVersion) {
      wholeLists.clear();
      wholeVersion = varsVersion;
    }
    List<Var> l = wholeLists.get(c);
    if (l == null) {
      List<Entry> entries = vars.getOrDefault(c, List.of());
      List<Var> made = new ArrayList<>(entries.size());
      for (Entry e : entries) {
        made.add(new Var(c, e.key(), e.value(), e.slot()));
      }
      l = java.util.Collections.unmodifiableList(made);
      wholeLists.put(c, l);
    }
    return l;
  }

  /** The elements of a collection that a target selects (a list the caller must not change). */
  List<Var> elements(Target t) {
    List<Var> out = new ArrayList<>();
    String c = t.collection;
    switch (c) {
      case "TX" -> {
        for (Map.Entry<String, String> e : txVars.entrySet()) {
          if (t.covers(c, e.getKey())) {
            out.add(new Var(c, e.getKey(), e.getValue()));
          }
        }
      }
      case "MATCHED_VARS" -> {
        for (Var v : matched) {
          out.add(new Var(c, v.name(), v.value()));
        }
      }
      case "MATCHED_VARS_NAMES" -> {
        for (Var v : matched) {
          out.add(new Var(c, v.name(), v.name()));
        }
      }
      case "MATCHED_VAR" -> {
        if (!matched.isEmpty()) {
          out.add(new Var(c, null, matched.get(matched.size() - 1).value()));
        }
      }
      case "MATCHED_VAR_NAME" -> {
        if (!matched.isEmpty()) {
          out.add(new Var(c, null, matched.get(matched.size() - 1).name()));
        }
      }
      case "IP", "SESSION", "USER", "GLOBAL", "RESOURCE" -> {
        String key = opened.get(c);
        if (key != null) {
          for (Map.Entry<String, String> e : store.entries(c, key)) {
            if (t.covers(c, e.getKey())) {
              out.add(new Var(c, e.getKey(), e.getValue()));
            }
          }
        }
      }
      case "XML" -> {
        for (Entry e : vars.getOrDefault(c, List.of())) {
          out.add(new Var(c, "/*", e.value(), e.slot()));
        }
      }
      default -> {
        if (t.key == null && t.keyPattern == null) {
          return whole(c);
        }
        for (Entry e : vars.getOrDefault(c, List.of())) {
          if (e.key() == null ? t.key == null && t.keyPattern == null : t.covers(c, e.key())) {
            out.add(new Var(c, e.key(), e.value(), e.slot()));
          }
        }
      }
    }
    return out;
  }

  private void runActions(Rule link) {
    for (Rule.Action a : link.actions) {
      switch (a.name()) {
        case "setvar" -> setvar(a.value());
        case "ctl" -> ctl(a.value());
        case "initcol" -> initcol(a.value());
        case "setsid" -> open("SESSION", expand(a.value()).trim());
        case "setuid" -> open("USER", expand(a.value()).trim());
        case "expirevar" -> expirevar(a.value());
        default -> { }
      }
    }
  }

  private void setvar(String spec) {
    String s = expand(spec);
    boolean delete = s.startsWith("!");
    if (delete) {
      s = s.substring(1);
    }
    int eq = s.indexOf('=');
    String name = (eq < 0 ? s : s.substring(0, eq)).trim();
    int dot = name.indexOf('.');
    if (dot < 0) {
      return;
    }
    String coll = name.substring(0, dot).toLowerCase(Locale.ROOT);
    String key = name.substring(dot + 1).toLowerCase(Locale.ROOT);
    if (!coll.equals("tx")) {
      setPersistent(coll.toUpperCase(Locale.ROOT), key, delete, eq < 0 ? "1" : s.substring(eq + 1));
      return;
    }
    if (delete) {
      txVars.remove(key);
      return;
    }
    String value = eq < 0 ? "1" : s.substring(eq + 1);
    if (value.length() > 1 && (value.charAt(0) == '+' || value.charAt(0) == '-')
        && isNumber(value.substring(1))) {
      long cur = Operators.num(txVars.getOrDefault(key, "0"));
      long delta = Operators.num(value.substring(1));
      value = Long.toString(value.charAt(0) == '+' ? cur + delta : cur - delta);
    }
    txVars.put(key, value);
  }

  /** {@code setvar} on an opened persistent collection: set, delete, or add atomically ({@code =+n}, {@code =-n}). */
  private void setPersistent(String coll, String name, boolean delete, String value) {
    String key = opened.get(coll);
    if (key == null || name.isEmpty()) {
      return; // not opened by initcol in this transaction: as ModSecurity, nothing to set
    }
    if (delete) {
      store.delete(coll, key, name);
    } else if (value.length() > 1 && (value.charAt(0) == '+' || value.charAt(0) == '-') && isNumber(value.substring(1))) {
      long delta = Operators.num(value.substring(1));
      store.add(coll, key, name, value.charAt(0) == '+' ? delta : -delta);
    } else {
      store.set(coll, key, name, value);
    }
  }

  /** {@code initcol:ip=%{REMOTE_ADDR}}. */
  private void initcol(String spec) {
    String s = expand(spec);
    int eq = s.indexOf('=');
    if (eq > 0) {
      open(s.substring(0, eq).trim().toUpperCase(Locale.ROOT), s.substring(eq + 1).trim());
    }
  }

  /** {@code expirevar:ip.name=60}: the variable of an opened persistent collection expires after 60 seconds. */
  private void expirevar(String spec) {
    String s = expand(spec);
    int eq = s.indexOf('=');
    String name = (eq < 0 ? s : s.substring(0, eq)).trim();
    int dot = name.indexOf('.');
    if (dot < 0 || eq < 0 || !isNumber(s.substring(eq + 1).trim())) {
      return;
    }
    String coll = name.substring(0, dot).toUpperCase(Locale.ROOT);
    String key = opened.get(coll);
    if (key != null) {
      store.expire(coll, key, name.substring(dot + 1).toLowerCase(Locale.ROOT), Operators.num(s.substring(eq + 1).trim()));
    }
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private void ctl(String spec) {
    String s = expand(spec);
    int eq = s.indexOf('=');
    if (eq < 0) {
      return;
    }
    String name = s.substring(0, eq).trim().toLowerCase(Locale.ROOT);
    String value = s.substring(eq + 1).trim();
    switch (name) {
      case "ruleremovebyid" -> {
        for (String part : value.split("[ ,]+")) {
          if (part.isBlank()) {
            continue;
          }
          if (part.indexOf('-', 1) > 0) {
            java.util.function.Predicate<Long> ids = IdRange.parse(part);
            removedRules.add(r -> ids.test(r.id));
          } else {
            removedIds.add(Operators.num(part));
          }
        }
      }
      case "ruleremovebytag" -> removedRules.add(memo(byTag(value)));
      case "ruleremovebymsg" -> removedRules.add(memo(byMsg(value)));
      case "ruleremovetargetbyid", "ruleremovetargetbytag", "ruleremovetargetbymsg" -> {
        int semi = value.indexOf(';');
        if (semi < 0) {
          return;
        }
        String which = value.substring(0, semi);
        java.util.function.Predicate<Rule> p;
        if (name.endsWith("byid")) {
          java.util.function.Predicate<Long> ids = IdRange.parse(which);
          p = r -> ids.test(r.id);
        } else if (name.endsWith("bytag")) {
          p = memo(byTag(which));
        } else {
          p = memo(byMsg(which));
        }
        for (Target t : Target.parseList(value.substring(semi + 1))) {
          removedTargets.add(Map.entry(p, t));
        }
      }
      case "ruleengine" -> {
        if (value.equalsIgnoreCase("off")) {
          engineOff = true;
        }
      }
      case "requestbodyprocessor" -> bodyProcessor = value.toUpperCase(Locale.ROOT);
      // REQUEST_BODY is always filled, so forceRequestBodyVariable has nothing to do
      case "requestbodyaccess" -> bodyAccess = value.equalsIgnoreCase("on");
      default -> { }
    }
  }

  /** Rules with a tag the (rule-file supplied) regular expression finds. */
  private static java.util.function.Predicate<Rule> byTag(String regex) {
    Regex re = Regex.compile(regex);
    return r -> r.tags.stream().anyMatch(re::findPlain);
  }

  private static java.util.function.Predicate<Rule> byMsg(String regex) {
    Regex re = Regex.compile(regex);
    return r -> r.msg != null && re.findPlain(r.msg);
  }

  /** Remembers a predicate's answer per rule (it is asked for every rule and every value). */
  private java.util.function.Predicate<Rule> memo(java.util.function.Predicate<Rule> p) {
    byte[] seen = new byte[program.ruleSlots()];
    return r -> {
      byte b = seen[r.seq];
      if (b == 0) {
        b = p.test(r) ? (byte) 1 : (byte) 2;
        seen[r.seq] = b;
      }
      return b == 1;
    };
  }

  /** Expands {@code %{collection.key}} and {@code %{VARIABLE}} macros. */
  String expand(String text) {
    int start = text.indexOf("%{");
    if (start < 0) {
      return text;
    }
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (start >= 0) {
      int end = text.indexOf('}', start);
      if (end < 0) {
        break;
      }
      b.append(text, i, start);
      b.append(macro(text.substring(start + 2, end)));
      i = end + 1;
      start = text.indexOf("%{", i);
    }
    b.append(text, i, text.length());
    return b.toString();
  }

  private String macro(String ref) {
    int dot = ref.indexOf('.');
    String coll = (dot < 0 ? ref : ref.substring(0, dot)).toUpperCase(Locale.ROOT);
    String key = dot < 0 ? null : ref.substring(dot + 1);
    if (coll.equals("TX") && key != null) {
      return txVars.getOrDefault(key.toLowerCase(Locale.ROOT), "");
    }
    if (coll.equals("RULE") && key != null && current != null) {
      return switch (key.toLowerCase(Locale.ROOT)) {
        case "id" -> Long.toString(current.id);
        case "msg" -> current.msg == null ? "" : expand(current.msg);
        case "severity" -> current.severity == null ? "" : current.severity;
        case "logdata" -> current.logdata == null ? "" : current.logdata;
        default -> "";
      };
    }
    if (!Variables.known(coll)) {
      return "";
    }
    Target t;
    try {
      t = Target.parse(key == null ? coll : coll + ":" + key);
    } catch (IllegalArgumentException e) {
      return "";
    }
    List<Var> els = elements(t);
    return els.isEmpty() ? "" : els.get(0).value();
  }

  /** A Java string as a byte string (UTF-8 bytes, one char each). */
  static String bytes(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7f) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
      }
    }
    return s;
  }
}
