package io.gatehouse.waf.internal;

import io.gatehouse.waf.InjectionDetector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parses and runs the SecLang operators ({@code @rx}, {@code @pm}, {@code @eq}, ...). */
public final class Operators {
  /** One operator instance with its (possibly macro-bearing) parameter. */
  interface Operator {
    boolean match(Tx tx, String value);
  }

  /** An {@code @rx} operator with a fixed pattern (the program indexes its prefilter). */
  record Rx(String pattern, Regex regex) implements Operator {
    @Override
    public boolean match(Tx tx, String value) {
      return regex.find(tx, value);
    }
  }

  private final InjectionDetector detector;

  public Operators(InjectionDetector detector) {
    this.detector = detector;
  }

  Operator parse(String text, Path baseDir) {
    String name;
    String param;
    if (text.startsWith("@")) {
      int sp = indexOfSpace(text);
      name = (sp < 0 ? text.substring(1) : text.substring(1, sp)).toLowerCase(Locale.ROOT);
      param = sp < 0 ? "" : text.substring(sp + 1);
    } else {
      name = "rx";
      param = text;
    }
    boolean macro = param.contains("%{");
    switch (name) {
      case "rx" -> {
        if (macro) {
          return (tx, v) -> Regex.compile(tx.expand(param)).find(tx, v);
        }
        return new Rx(param, Regex.compile(param));
      }
      case "pm" -> {
        return phrases(List.of(param.trim().split("\\s+")));
      }
      case "pmf", "pmfromfile" -> {
        List<String> all = new ArrayList<>();
        for (String f : param.trim().split("\\s+")) {
          Path file = baseDir == null ? Path.of(f) : baseDir.resolve(f);
          try {
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
              String l = line.trim();
              if (!l.isEmpty() && !l.startsWith("#")) {
                all.add(l);
              }
            }
          } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the @" + name + " data file " + file + ": " + e.getMessage());
          }
        }
        return phrases(all);
      }
      case "streq" -> {
        return (tx, v) -> v.equals(arg(tx, param, macro));
      }
      case "strmatch", "contains" -> {
        return (tx, v) -> v.contains(arg(tx, param, macro));
      }
      case "containsword" -> {
        return (tx, v) -> containsWord(v, arg(tx, param, macro));
      }
      case "beginswith" -> {
        return (tx, v) -> v.startsWith(arg(tx, param, macro));
      }
      case "endswith" -> {
        return (tx, v) -> v.endsWith(arg(tx, param, macro));
      }
      case "within" -> {
        return (tx, v) -> arg(tx, param, macro).contains(v);
      }
      case "eq" -> {
        return (tx, v) -> num(v) == num(arg(tx, param, macro));
      }
      case "ge" -> {
        return (tx, v) -> num(v) >= num(arg(tx, param, macro));
      }
      case "gt" -> {
        return (tx, v) -> num(v) > num(arg(tx, param, macro));
      }
      case "le" -> {
        return (tx, v) -> num(v) <= num(arg(tx, param, macro));
      }
      case "lt" -> {
        return (tx, v) -> num(v) < num(arg(tx, param, macro));
      }
      case "ipmatch" -> {
        List<Cidr> nets = new ArrayList<>();
        for (String p : param.split("[,\\s]+")) {
          if (!p.isBlank()) {
            nets.add(Cidr.parse(p.trim()));
          }
        }
        return (tx, v) -> {
          byte[] a = Cidr.address(v.trim());
          return a != null && nets.stream().anyMatch(n -> n.contains(a));
        };
      }
      case "detectsqli" -> {
        return (tx, v) -> detector.isSqlInjection(v);
      }
      case "detectxss" -> {
        return (tx, v) -> detector.isCrossSiteScripting(v);
      }
      case "validatebyterange" -> {
        boolean[] allowed = byteRanges(param);
        return (tx, v) -> {
          for (int i = 0; i < v.length(); i++) {
            if (!allowed[v.charAt(i) & 0xff]) {
              return true;
            }
          }
          return false;
        };
      }
      case "validateurlencoding" -> {
        return (tx, v) -> invalidUrlEncoding(v);
      }
      case "validateutf8encoding" -> {
        return (tx, v) -> invalidUtf8(v);
      }
      case "unconditionalmatch" -> {
        return (tx, v) -> true;
      }
      case "nomatch", "rbl", "geolookup", "inspectfile", "verifycc", "verifycpf", "verifyssn",
          "fuzzyhash", "validatedtd", "validateschema", "gsblookup", "validatehash" -> {
        return (tx, v) -> false;
      }
      default -> throw new IllegalArgumentException("unknown operator @" + name);
    }
  }

  private static int indexOfSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static String arg(Tx tx, String param, boolean macro) {
    return macro ? tx.expand(param) : param;
  }

  static long num(String s) {
    String t = s.trim();
    int i = 0;
    boolean neg = false;
    if (i < t.length() && (t.charAt(i) == '-' || t.charAt(i) == '+')) {
      neg = t.charAt(i) == '-';
      i++;
    }
    long v = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i)) && v < Long.MAX_VALUE / 20) {
      v = v * 10 + (t.charAt(i++) - '0');
    }
    return neg ? -v : v;
  }

  private static boolean containsWord(String v, String w) {
    int from = 0;
    while (true) {
      int i = v.indexOf(w, from);
      if (i < 0) {
        return false;
      }
      int end = i + w.length();
      boolean leftOk = i == 0 || !Character.isLetterOrDigit(v.charAt(i - 1));
      boolean rightOk = end >= v.length() || !Character.isLetterOrDigit(v.charAt(end));
      if (leftOk && rightOk) {
        return true;
      }
      from = i + 1;
    }
  }

  private static Operator phrases(List<String> list) {
    PhraseMatcher m = new PhraseMatcher(list);
    return (tx, v) -> {
      String hit = m.find(v);
      if (hit == null) {
        return false;
      }
      tx.captured(List.of(hit));
      return true;
    };
  }

  private static boolean[] byteRanges(String param) {
    boolean[] allowed = new boolean[256];
    for (String part : param.split("[,\\s]+")) {
      if (part.isBlank()) {
        continue;
      }
      int dash = part.indexOf('-');
      try {
        int lo = Integer.parseInt((dash < 0 ? part : part.substring(0, dash)).trim());
        int hi = dash < 0 ? lo : Integer.parseInt(part.substring(dash + 1).trim());
        if (lo < 0 || hi > 255 || lo > hi) {
          throw new IllegalArgumentException("byte range " + part + " is outside 0-255");
        }
        for (int b = lo; b <= hi; b++) {
          allowed[b] = true;
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + part + "' is not a byte range (e.g. 32-126)");
      }
    }
    return allowed;
  }

  static boolean invalidUrlEncoding(String v) {
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) == '%') {
        if (i + 2 >= v.length() || Transforms.hex(v.charAt(i + 1)) < 0 || Transforms.hex(v.charAt(i + 2)) < 0) {
          return true;
        }
        i += 2;
      }
    }
    return false;
  }

  static boolean invalidUtf8(String v) {
    int n = v.length();
    for (int i = 0; i < n; i++) {
      int c = v.charAt(i) & 0xff;
      if (c < 0x80) {
        continue;
      }
      int len;
      int min;
      if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
      } else {
        return true;
      }
      if (i + len > n) {
        return true;
      }
      int cp = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
      for (int k = 1; k < len; k++) {
        int d = v.charAt(i + k) & 0xff;
        if ((d & 0xc0) != 0x80) {
          return true;
        }
        cp = (cp << 6) | (d & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return true;
      }
      i += len - 1;
    }
    return false;
  }

  /** An IPv4 or IPv6 network; only address literals are accepted, never host names. */
  record Cidr(byte[] net, int bits) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      byte[] a = address(slash < 0 ? text : text.substring(0, slash));
      if (a == null) {
        throw new IllegalArgumentException("'" + text + "' is not an IP address or network");
      }
      int bits = slash < 0 ? a.length * 8 : Integer.parseInt(text.substring(slash + 1).trim());
      return new Cidr(a, bits);
    }

    static byte[] address(String s) {
      if (s.indexOf(':') >= 0) {
        if (!s.matches("[0-9a-fA-F:.]+")) {
          return null;
        }
        try {
          return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
          return null;
        }
      }
      String[] p = s.split("\\.", -1);
      if (p.length != 4) {
        return null;
      }
      byte[] a = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (!p[i].matches("[0-9]{1,3}")) {
          return null;
        }
        int v = Integer.parseInt(p[i]);
        if (v > 255) {
          return null;
        }
        a[i] = (byte) v;
      }
      return a;
    }

    boolean contains(byte[] a) {
      if (a.length != net.length) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >> (i % 8);
        if ((a[i / 8] & mask) != (net[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }
}
