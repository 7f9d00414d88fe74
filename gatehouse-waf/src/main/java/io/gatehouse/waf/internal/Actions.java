package io.gatehouse.waf.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Parses a rule's action list ({@code "id:1,phase:2,t:lowercase,setvar:'tx.a=1'"}) into the rule. */
final class Actions {
  private static final Set<String> METADATA = Set.of("ver", "rev", "maturity", "accuracy", "auditlog",
      "noauditlog", "status", "sanitisematched", "sanitisearg", "sanitiserequestheader",
      "sanitiseresponseheader", "sanitizematched", "sanitizearg", "xmlns", "pause", "append",
      "prepend", "deprecatevar", "setrsc", "setenv", "exec", "proxy");
  private static final Set<String> RUNTIME = Set.of("setvar", "ctl", "expirevar", "initcol",
      "setuid", "setsid");

  private Actions() {}

  static void parse(Rule r, String text) {
    for (String item : split(text)) {
      String a = item.trim();
      if (a.isEmpty()) {
        continue;
      }
      int colon = a.indexOf(':');
      String name = (colon < 0 ? a : a.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
      String value = colon < 0 ? null : unquote(a.substring(colon + 1).trim());
      switch (name) {
        case "id" -> r.id = parseLong(value, "id");
        case "phase" -> {
          r.phase = switch (value == null ? "" : value.toLowerCase(Locale.ROOT)) {
            case "request" -> 2;
            case "response" -> 4;
            case "logging" -> 5;
            default -> (int) parseLong(value, "phase");
          };
          if (r.phase < 1 || r.phase > 5) {
            throw new IllegalArgumentException("phase must be 1 to 5, not " + value);
          }
          r.phaseSet = true;
        }
        case "msg" -> r.msg = value;
        case "logdata" -> r.logdata = value;
        case "tag" -> r.tags.add(value);
        case "severity" -> r.severity = value;
        case "t" -> {
          if (value == null) {
            throw new IllegalArgumentException("t: needs a transformation name");
          }
          if (value.equalsIgnoreCase("none")) {
            r.transforms.clear();
            r.transformsReset = true;
          } else {
            r.transforms.add(Transforms.get(value));
          }
        }
        case "chain" -> r.chained = true;
        case "skip" -> r.skip = (int) parseLong(value, "skip");
        case "skipafter" -> r.skipAfter = value;
        case "block" -> r.disruptive = Rule.Disruptive.BLOCK;
        case "deny" -> r.disruptive = Rule.Disruptive.DENY;
        case "drop" -> r.disruptive = Rule.Disruptive.DROP;
        case "pass" -> r.disruptive = Rule.Disruptive.PASS;
        case "redirect" -> r.disruptive = Rule.Disruptive.REDIRECT;
        case "allow" -> r.disruptive = value == null ? Rule.Disruptive.ALLOW
            : value.equalsIgnoreCase("phase") ? Rule.Disruptive.ALLOW_PHASE
            : Rule.Disruptive.ALLOW_REQUEST;
        case "log" -> r.log = true;
        case "nolog" -> r.log = false;
        case "capture" -> r.capture = true;
        case "multimatch" -> r.multiMatch = true;
        default -> {
          if (RUNTIME.contains(name)) {
            if (value == null) {
              throw new IllegalArgumentException(name + " needs a value");
            }
            if (name.equals("ctl")) {
              Ctl.validate(value);
            }
            r.actions.add(new Rule.Action(name, value));
          } else if (!METADATA.contains(name)) {
            throw new IllegalArgumentException("unknown action " + name);
          }
        }
      }
    }
  }

  private static long parseLong(String v, String what) {
    try {
      return Long.parseLong(v == null ? "" : v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " must be a number, not '" + v + "'");
    }
  }

  static String unquote(String v) {
    if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }

  /** Splits on commas outside single quotes. */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && quoted && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
        cur.append('\'');
        i++;
        continue;
      }
      if (c == '\'') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
