package io.gatehouse.waf.internal;

import io.gatehouse.waf.WafLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads SecLang text into rules: directives, line continuations, quoting, chains, default actions
 * per phase, and load-time removals and target updates (which apply to rules defined before them).
 */
public final class Parser {
  /** Configuration directives the engine accepts and has no use for (logging, storage, limits). */
  private static final Set<String> IGNORED = Set.of("seccomponentsignature", "secrequestbodyaccess",
      "secresponsebodyaccess", "secresponsebodymimetype", "secrequestbodylimit",
      "secrequestbodynofileslimit", "secrequestbodylimitaction", "secresponsebodylimit",
      "secresponsebodylimitaction", "secauditengine", "secauditlog", "secauditlogparts",
      "secauditlogtype", "secauditlogformat", "secauditlogrelevantstatus", "secauditlogstoragedir",
      "secauditlogdirmode", "secauditlogfilemode", "secdebuglog", "secdebugloglevel", "sectmpdir",
      "secdatadir", "secuploaddir", "secuploadfilemode", "secuploadkeepfiles", "secargumentseparator",
      "seccookieformat", "secunicodemapfile", "secstatusengine", "secpcrematchlimit",
      "secpcrematchlimitrecursion", "seccollectiontimeout", "secrequestbodyinmemorylimit",
      "secargumentslimit", "secrequestbodyjsondepthlimit", "sectmpsaverequestbody", "secgeolookupdb",
      "secserversignature", "secwebappid", "secsensorid", "sechttpblkey", "seccontentinjection",
      "secstreamoutbodyinspection", "secstreaminbodyinspection", "secxmlexternalentity",
      "secuploadfilelimit", "secinterceptonerror", "secconnengine", "secruleengine");

  private final List<Rule> rules = new ArrayList<>();
  private final Map<Integer, Rule> defaults = new HashMap<>();
  private final Operators operators;
  private Rule openChain;

  public Parser(Operators operators) {
    this.operators = operators;
  }

  public List<Rule> rules() {
    return rules;
  }

  /** Parses one file; data files of {@code @pmFromFile} are read relative to its folder. */
  public void parseFile(Path file) throws WafLoadException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new WafLoadException(file.toString(), 0, "cannot read the file: " + e.getMessage());
    }
    parse(file.toString(), text, file.toAbsolutePath().getParent());
  }

  /** Parses SecLang text named {@code source} (for error messages). */
  public void parse(String source, String text, Path baseDir) throws WafLoadException {
    String[] lines = text.split("\r?\n", -1);
    StringBuilder logical = new StringBuilder();
    int startLine = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (logical.length() == 0) {
        startLine = i + 1;
        String trimmed = line.trim();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
      }
      if (line.endsWith("\\")) {
        logical.append(line, 0, line.length() - 1);
        if (i < lines.length - 1) {
          continue;
        }
      } else {
        logical.append(line);
      }
      String directive = logical.toString().trim();
      logical.setLength(0);
      if (!directive.isEmpty()) {
        try {
          directive(source, startLine, directive, baseDir);
        } catch (IllegalArgumentException e) {
          throw new WafLoadException(source, startLine, e.getMessage());
        }
      }
    }
    if (openChain != null) {
      throw new WafLoadException(source, openChain.line, "the rule ends a chain with 'chain': add the chained rule after it");
    }
  }

  private void directive(String source, int line, String text, Path baseDir) {
    List<String> args = tokens(text);
    String name = args.get(0).toLowerCase(Locale.ROOT);
    switch (name) {
      case "secrule" -> {
        need(args, 3, 4, "SecRule VARIABLES \"OPERATOR\" \"ACTIONS\"");
        Rule r = new Rule(source, line);
        for (Target t : Target.parseList(args.get(1))) {
          (t.exclusion ? r.exclusions : r.targets).add(t);
        }
        String op = args.get(2);
        if (op.startsWith("!")) {
          r.negated = true;
          op = op.substring(1);
        }
        r.operator = operators.parse(op, baseDir);
        if (args.size() == 4) {
          Actions.parse(r, args.get(3));
        }
        add(r);
      }
      case "secaction" -> {
        need(args, 2, 2, "SecAction \"ACTIONS\"");
        Rule r = new Rule(source, line);
        r.unconditional = true;
        Actions.parse(r, args.get(1));
        add(r);
      }
      case "secmarker" -> {
        need(args, 2, 2, "SecMarker NAME");
        Rule r = new Rule(source, line);
        r.marker = args.get(1);
        rules.add(r);
      }
      case "secdefaultaction" -> {
        need(args, 2, 2, "SecDefaultAction \"ACTIONS\"");
        Rule r = new Rule(source, line);
        Actions.parse(r, args.get(1));
        if (!r.phaseSet) {
          throw new IllegalArgumentException("SecDefaultAction needs a phase");
        }
        defaults.put(r.phase, r);
      }
      case "secruleremovebyid" -> {
        for (String a : args.subList(1, args.size())) {
          for (String part : a.split("[ ,]+")) {
            if (!part.isBlank()) {
              Predicate<Long> ids = IdRange.parse(part);
              rules.removeIf(r -> !r.isMarker() && ids.test(r.id));
            }
          }
        }
      }
      case "secruleremovebytag" -> {
        com.google.re2j.Pattern p = com.google.re2j.Pattern.compile(args.get(1));
        rules.removeIf(r -> r.tags.stream().anyMatch(t -> p.matcher(t).find()));
      }
      case "secruleremovebymsg" -> {
        com.google.re2j.Pattern p = com.google.re2j.Pattern.compile(args.get(1));
        rules.removeIf(r -> r.msg != null && p.matcher(r.msg).find());
      }
      case "secruleupdatetargetbyid", "secruleupdatetargetbytag", "secruleupdatetargetbymsg" -> {
        need(args, 3, 4, args.get(0) + " SELECTOR \"TARGETS\"");
        Predicate<Rule> which;
        if (name.endsWith("byid")) {
          Predicate<Long> ids = IdRange.parse(args.get(1));
          which = r -> ids.test(r.id);
        } else if (name.endsWith("bytag")) {
          com.google.re2j.Pattern p = com.google.re2j.Pattern.compile(args.get(1));
          which = r -> r.tags.stream().anyMatch(t -> p.matcher(t).find());
        } else {
          com.google.re2j.Pattern p = com.google.re2j.Pattern.compile(args.get(1));
          which = r -> r.msg != null && p.matcher(r.msg).find();
        }
        List<Target> targets = Target.parseList(args.get(2));
        for (Rule r : rules) {
          if (!r.isMarker() && which.test(r)) {
            for (Target t : targets) {
              (t.exclusion ? r.exclusions : r.targets).add(t);
            }
          }
        }
      }
      case "secruleupdateactionbyid" -> {
        need(args, 3, 3, "SecRuleUpdateActionById ID \"ACTIONS\"");
        Predicate<Long> ids = IdRange.parse(args.get(1));
        for (Rule r : rules) {
          if (!r.isMarker() && ids.test(r.id)) {
            long id = r.id;
            int phase = r.phase;
            Actions.parse(r, args.get(2));
            r.id = id;
            r.phase = phase;
          }
        }
      }
      default -> {
        if (!IGNORED.contains(name)) {
          throw new IllegalArgumentException("unknown directive " + args.get(0));
        }
      }
    }
  }

  private void add(Rule r) {
    if (openChain != null) {
      if (r.unconditional) {
        throw new IllegalArgumentException("a chain continues with SecRule, not SecAction");
      }
      Rule tail = openChain;
      while (tail.next != null) {
        tail = tail.next;
      }
      tail.next = r;
      r.phase = openChain.phase;
      applyDefaults(r, openChain.phase);
      if (!r.chained) {
        openChain = null;
      }
      return;
    }
    applyDefaults(r, r.phase);
    rules.add(r);
    if (r.chained) {
      openChain = r;
    }
  }

  private void applyDefaults(Rule r, int phase) {
    Rule d = defaults.get(phase);
    if (d == null) {
      if (r.disruptive == Rule.Disruptive.BLOCK) {
        r.disruptive = Rule.Disruptive.PASS;
      }
      return;
    }
    if (!r.transformsReset) {
      List<Transforms.Transform> all = new ArrayList<>(d.transforms);
      all.addAll(r.transforms);
      r.transforms = all;
    }
    if (r.log == null) {
      r.log = d.log;
    }
    if (r.disruptive == Rule.Disruptive.BLOCK) {
      r.disruptive = d.disruptive == Rule.Disruptive.NONE ? Rule.Disruptive.PASS : d.disruptive;
    }
  }

  private static void need(List<String> args, int min, int max, String usage) {
    if (args.size() < min || args.size() > max) {
      throw new IllegalArgumentException("expected " + usage + " (found " + (args.size() - 1) + " arguments)");
    }
  }

  /** Splits a directive into words; double quotes group, backslash-quote inside quotes is a quote. */
  static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      StringBuilder b = new StringBuilder();
      if (c == '"') {
        i++;
        boolean closed = false;
        while (i < n) {
          char d = text.charAt(i);
          if (d == '\\' && i + 1 < n && text.charAt(i + 1) == '"') {
            b.append('"');
            i += 2;
          } else if (d == '"') {
            i++;
            closed = true;
            break;
          } else {
            b.append(d);
            i++;
          }
        }
        if (!closed) {
          throw new IllegalArgumentException("unterminated double quote");
        }
      } else {
        while (i < n && !Character.isWhitespace(text.charAt(i))) {
          b.append(text.charAt(i++));
        }
      }
      out.add(b.toString());
    }
    return out;
  }
}
