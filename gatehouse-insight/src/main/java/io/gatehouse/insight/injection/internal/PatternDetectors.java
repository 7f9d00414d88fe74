package io.gatehouse.insight.injection.internal;

import java.util.Set;

/**
 * Detectors for command injection, path traversal and local file inclusion, SSRF and remote file
 * inclusion, template injection, Java (JNDI, deserialization, reflection) and PHP code injection,
 * all over the normalized lower-case value with linear scans. Stateless and thread-safe. The
 * detectors that take {@code markers} expect {@link #markers(String)} of the same value.
 */
public final class PatternDetectors {
  /** A detection: the score and the span of the normalized text that triggered it. */
  public record Hit(int score, int start, int end, String rule) {}

  private static final Set<String> COMMANDS = Set.of("cat", "ls", "id", "whoami", "uname", "wget",
      "curl", "nc", "ncat", "netcat", "bash", "sh", "zsh", "ksh", "csh", "dash", "ping", "echo",
      "rm", "chmod", "chown", "python", "python3", "perl", "ruby", "php", "nslookup", "dig",
      "ifconfig", "ipconfig", "netstat", "ps", "kill", "sleep", "tail", "head", "more", "less",
      "cmd", "powershell", "pwsh", "net", "tasklist", "systeminfo", "certutil", "bitsadmin",
      "telnet", "ssh", "scp", "ftp", "tftp", "nmap", "xterm", "awk", "sed", "find", "grep",
      "base64", "touch", "cp", "mv", "mkdir", "env", "printenv", "export", "eval", "exec",
      "sudo", "su", "crontab", "useradd", "passwd", "hostname", "pwd", "dir", "type", "copy",
      "del", "reg", "wmic", "mshta", "rundll32", "regsvr32", "cscript", "wscript", "node",
      "java", "socat", "busybox", "openssl", "nohup", "timeout", "xargs", "tee", "dd", "od",
      "xxd", "strings", "uniq", "sort", "wc", "diff", "lua", "gcc", "make", "vi", "vim", "nano",
      "ed", "man", "getent", "who", "w", "last", "lsof", "systemctl", "service", "shutdown",
      "reboot", "halt", "mail", "sendmail", "tclsh", "expect", "jrunscript", "osascript");
  private static final MarkerSet SENSITIVE_FILES = new MarkerSet("etc/passwd", "etc/shadow", "etc/group",
      "etc/hosts", "etc/issue", "etc/sudoers", "etc/crontab", "etc/motd", "etc/my.cnf",
      "proc/self/", "proc/version", "proc/cpuinfo", "proc/interrupts", "proc/net/", "proc/mounts",
      "win.ini", "boot.ini", "system32/", "windows/system", "web-inf/", "meta-inf/",
      ".htaccess", ".htpasswd", "web.config", "wp-config", ".ssh/", "id_rsa", "id_dsa",
      "authorized_keys", ".bash_history", ".bashrc", ".git/", ".svn/", ".hg/", ".env",
      ".aws/", "/.docker", ".kube/", ".npmrc", ".pgpass", ".my.cnf", "/var/log/", ".ds_store",
      "/dev/tcp/", "/dev/udp/", "/bin/sh", "/bin/bash", "/usr/bin/", "/sbin/", "cmd.exe",
      "powershell.exe", "/boot/grub", "sam.bak", "/etc/", ".aiignore", ".cursorignore",
      ".gitignore", ".dockerignore", "debug.log", "error.log", "errors.log", "access.log",
      ".sql", ".bak", ".backup", ".old", ".swp", ".config/", "/@fs/", "composer.json",
      "package.json", "phpinfo");
  private static final String[] INTERNAL_HOSTS = {"localhost", "127.", "0.0.0.0", "0177.",
      "0x7f", "[::", "[0:0:", "169.254.", "metadata.google.internal", "metadata.azure",
      "100.100.100.200", "2130706433", "017700000001", "0x7f000001", "10.", "192.168.", "172.16.",
      "172.17.", "172.18.", "172.19.", "172.2", "172.30.", "172.31.", "[fd", "[fe80", "instance-data",
      "0/", "0:", ".internal", "kubernetes.default", "metadata.", "2852039166"};
  private static final MarkerSet RARE_SCHEMES = new MarkerSet("gopher://", "dict://", "file://", "file:/",
      "ldap://", "ldaps://", "tftp://", "jar:", "netdoc://", "sftp://", "expect://", "phar://",
      "php://", "zip://", "zlib://", "glob://", "data://", "ogg://", "rar://", "ssh2://",
      "compress.zlib://", "compress.bzip2://", "rmi://", "iiop://", "corba:", "nis://", "dns://",
      "jndi:", "http+unix://", "unix:", "ftp://", "ftps://");
  private static final MarkerSet PHP_MARKERS = new MarkerSet("<?php", "<?=", "php://", "phar://",
      "$_get", "$_post", "$_request", "$_server", "$_cookie", "$_files", "$_env", "$_session",
      "$globals", "shell_exec(", "passthru(", "proc_open(", "popen(", "pcntl_exec(", "assert(",
      "create_function(", "call_user_func", "preg_replace(", "base64_decode(", "str_rot13(",
      "gzinflate(", "gzuncompress(", "file_get_contents(", "file_put_contents(", "fopen(",
      "fwrite(", "include(", "require(", "include_once", "require_once", "highlight_file(",
      "show_source(", "phpinfo(", "move_uploaded_file(", "unserialize(", "var_dump(",
      "ini_set(", "putenv(", "chr(", "array_map(", "usort(", "array_filter(", "ob_start(",
      "extract(", "parse_str(", "getenv(", "posix_", "mb_ereg_replace(", "func_get_args",
      "get_defined_vars", "$$", "escapeshellcmd(", "dl(", "readfile(", "symlink(",
      "expect://", "zlib://", "data:text/plain");
  private static final MarkerSet JAVA_MARKERS = new MarkerSet("java.lang.runtime", "java.lang.processbuilder",
      "java.lang.system", "java.lang.class", "java.lang.reflect", "getruntime(", ".exec(",
      "processbuilder", "classloader", "class.module", "class.classloader", "javax.script",
      "scriptenginemanager", "java.io.file", "java.net.url", "java.beans", "org.apache.commons",
      "com.sun.", "sun.misc", "ognl", "#_memberaccess", "@java.", "new java.", "getclass(",
      "forname(", "invoke(", "xwork", "freemarker.template", "rO0AB".toLowerCase(), "aced0005",
      "${jndi", "javax.naming", "bsh.interpreter", "groovy.lang", "jdk.jshell", "java.util.",
      "org.springframework", "tomcat", "catalina", "com.opensymphony", "instancemanager",
      ".getmethod(", "t(java", "nashorn", "spel", "runtime.getruntime");
  private static final MarkerSet NODE_MARKERS = new MarkerSet("require('child_process')", "require(\"child_process\")",
      "child_process", "process.mainmodule", "process.binding", "process.env", "__proto__",
      "constructor.prototype", "constructor[", "process.spawn", "process.exec", ".spawn(",
      "execsync(", "spawnsync(", "this.constructor", "global.process", "fs.readfile",
      "module.require", "vm.runin");
  private static final int SENSITIVE = 1;
  private static final int SCHEMES = 2;
  private static final int PHP = 4;
  private static final int JAVA = 8;
  private static final int NODE = 16;
  static final int JS_SINKS = 32;
  private static final MarkerGroup MARKERS = new MarkerGroup(SENSITIVE_FILES, RARE_SCHEMES, PHP_MARKERS,
      JAVA_MARKERS, NODE_MARKERS, XssDetector.JS_SINKS);

  private PatternDetectors() {}

  /**
   * One pass over the normalized value telling which marker lists occur in it; the detectors that
   * take this mask skip the scans of the lists that are absent.
   */
  public static int markers(String s) {
    return MARKERS.present(s);
  }

  /** Shell command injection: a command separator or substitution followed by a known command. */
  public static Hit command(String s) {
    String c = shellCanonical(s);
    int n = c.length();
    for (int i = 0; i < n; i++) {
      char ch = c.charAt(i);
      int cmdStart = -1;
      int score = 0;
      if (ch == ';' || ch == '|' || ch == '&' || ch == '\n' || ch == '`') {
        cmdStart = i + 1;
        score = 85;
      } else if (ch == '$' && i + 1 < n && (c.charAt(i + 1) == '(' || c.charAt(i + 1) == '{')) {
        cmdStart = i + 2;
        score = 85;
      } else if ((ch == '<' || ch == '>') && i + 1 < n && c.charAt(i + 1) == '(') {
        cmdStart = i + 2;
        score = 85;
      } else if (i == 0) {
        cmdStart = 0;
        score = 70;
      }
      if (cmdStart < 0) {
        continue;
      }
      int j = cmdStart;
      while (j < n) {
        char cj = c.charAt(j);
        if (!(cj == ' ' || cj == '|' || cj == '&' || cj == '(' || cj == '{' || cj == '\t' || cj == '!')) {
          break;
        }
        j++;
      }
      // optional directory prefix: /bin/, /usr/bin/, ./, c:\windows\system32\ ...
      int wordStart = j;
      int lastSep = -1;
      while (j < n) {
        char cj = c.charAt(j);
        if (cj == '/' || cj == '\\') {
          lastSep = j;
        } else if (!(isWordChar(cj) || cj == '.' || cj == '?' || cj == '*' || cj == ':')) {
          break;
        }
        j++;
      }
      int nameStart = lastSep >= 0 ? lastSep + 1 : wordStart;
      String word = c.substring(nameStart, j);
      if (word.endsWith(".exe")) {
        word = word.substring(0, word.length() - 4);
      }
      boolean globbed = word.indexOf('?') >= 0 || word.indexOf('*') >= 0;
      if (!COMMANDS.contains(word) && !(globbed && lastSep >= 0)) {
        continue;
      }
      boolean end = j >= n;
      char after = end ? ' ' : c.charAt(j);
      if (!(end || after == ' ' || after == '\t' || after == ';' || after == '|' || after == '&'
          || after == '<' || after == '>' || after == ')' || after == '`' || after == '$'
          || after == '}' || after == '\n' || after == ',')) {
        continue;
      }
      if (score == 70) {
        // at the very start of the value a command needs arguments that look like a shell's
        int k = j;
        while (k < n && c.charAt(k) == ' ') {
          k++;
        }
        if (k >= n || !(c.charAt(k) == '-' || c.charAt(k) == '/' || c.charAt(k) == '$'
            || c.charAt(k) == '|' || c.charAt(k) == ';' || c.charAt(k) == '>' || c.charAt(k) == '<'
            || c.charAt(k) == '`' || lastSep >= 0)) {
          continue;
        }
        if (lastSep < 0 && word.length() <= 2 && !word.equals("ls") && !word.equals("id")) {
          continue;
        }
      } else if (end && lastSep < 0 && ch != '`' && ch != '$' && word.length() <= 3
          && !word.equals("id") && !word.equals("ls") && !word.equals("sh") && !word.equals("cat")) {
        continue;
      }
      return new Hit(score, Math.max(0, i), Math.min(n, j + 12), "command:" + word);
    }
    int p = c.indexOf("${ifs");
    if (p >= 0) {
      return new Hit(80, p, Math.min(n, p + 10), "ifs");
    }
    return null;
  }

  /** Removes the quoting and escaping tricks shells ignore: c'a't, c\at, w"h"o, $@, ${ifs}. */
  static String shellCanonical(String s) {
    boolean plain = true;
    for (int i = 0; i < s.length() && plain; i++) {
      char c = s.charAt(i);
      plain = !(c == '\\' || c == '\'' || c == '"' || c == '^' || c == '$' || c == '+');
    }
    if (plain) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < n && s.charAt(i + 1) != 'n') {
        continue;
      }
      if (c == '\\' && i + 1 < n && s.charAt(i + 1) == 'n') {
        b.append('\n');
        i++;
        continue;
      }
      if ((c == '\'' || c == '"' || c == '^') && i > 0 && i + 1 < n
          && isWordChar(s.charAt(i - 1)) && (isWordChar(s.charAt(i + 1)) || s.charAt(i + 1) == c)) {
        continue;
      }
      if ((c == '\'' || c == '"') && i + 1 < n && s.charAt(i + 1) == c) {
        i++;
        continue;
      }
      if (c == '$' && i + 1 < n && (s.charAt(i + 1) == '@' || s.charAt(i + 1) == '*'
          || Character.isDigit(s.charAt(i + 1))) && i > 0 && isWordChar(s.charAt(i - 1))) {
        i++;
        continue;
      }
      if (c == '$' && s.startsWith("${ifs}", i)) {
        b.append(' ');
        i += 5;
        continue;
      }
      if (c == '$' && s.startsWith("$ifs", i)) {
        b.append(' ');
        i += 3;
        continue;
      }
      if (c == '+' ) {
        b.append(' ');
        continue;
      }
      b.append(c);
    }
    return b.toString();
  }

  /** Path traversal ({@code ../}) and local file inclusion of well-known sensitive files. */
  public static Hit traversal(String s, int markers) {
    int n = s.length();
    for (int i = s.indexOf(".."); i >= 0; i = s.indexOf("..", i + 1)) {
      char before = i > 0 ? s.charAt(i - 1) : '/';
      int j = i + 2;
      while (j < n && s.charAt(j) == '.') {
        j++;
      }
      if (j < n && s.charAt(j) == ';') {
        j++;
      }
      char after = j < n ? s.charAt(j) : 0;
      boolean sepBefore = before == '/' || before == '\\' || before == '=' || i == 0 || before == ' '
          || before == ':';
      boolean sepAfter = after == '/' || after == '\\' || (after == 0 && (before == '/' || before == '\\'));
      if (sepBefore && sepAfter) {
        int k = s.indexOf("..", j);
        boolean repeated = k >= 0 && k - j <= 3;
        return new Hit(repeated ? 90 : 75, i, Math.min(n, j + 20), "dot-dot-slash");
      }
    }
    if (s.indexOf('/') < 0 && s.indexOf('\\') < 0 && (s.isEmpty() || s.charAt(0) != '.')) {
      return null;
    }
    for (long mt = (markers & SENSITIVE) == 0 ? -1 : SENSITIVE_FILES.find(s, 0); mt >= 0;
        mt = SENSITIVE_FILES.find(s, MarkerSet.position(mt) + 1)) {
      String f = SENSITIVE_FILES.marker(MarkerSet.index(mt));
      int p = MarkerSet.position(mt);
      int e = p + f.length();
      if (f.startsWith(".") && !f.endsWith("/")) {
        // a dot-file or extension must end the segment: ".env" but not ".environment"
        if (e < n && isWordChar(s.charAt(e)) && s.charAt(e) != '_') {
          continue;
        }
        if (f.length() <= 5 && !f.equals(".env") && !f.equals(".git/") && (p == 0 || s.charAt(p - 1) == '/')) {
          continue; // a bare ".sql"/".bak" file name is not an extension of something
        }
      }
      if (f.endsWith("/") || f.startsWith("/") || f.contains(".") || p == 0 || !isWordChar(s.charAt(p - 1))) {
        return new Hit(f.startsWith(".") && f.length() <= 5 && !f.equals(".env") ? 60 : 75, p, Math.min(n, e + 10), "sensitive-file");
      }
    }
    return null;
  }

  /** URLs pointing at internal addresses, metadata services or unusual schemes (SSRF / RFI). */
  public static Hit ssrf(String s, int markers) {
    int n = s.length();
    if (s.indexOf(':') < 0) {
      return null;
    }
    for (long mt = (markers & SCHEMES) == 0 ? -1 : RARE_SCHEMES.find(s, 0); mt >= 0; mt = RARE_SCHEMES.find(s, MarkerSet.position(mt) + 1)) {
      String scheme = RARE_SCHEMES.marker(MarkerSet.index(mt));
      int p = MarkerSet.position(mt);
      if (p == 0 || !isWordChar(s.charAt(p - 1))) {
        int score = scheme.startsWith("ftp") ? 60 : 80;
        if (scheme.equals("file:/") || scheme.equals("unix:")) {
          score = p == 0 ? 75 : 0;
        }
        if (score > 0) {
          return new Hit(score, p, Math.min(n, p + scheme.length() + 24), "scheme:" + scheme);
        }
      }
    }
    for (int p = s.indexOf("://"); p >= 0; p = s.indexOf("://", p + 3)) {
      int hs = p + 3;
      int at = -1;
      int he = hs;
      while (he < n && s.charAt(he) != '/' && s.charAt(he) != '?' && s.charAt(he) != '#'
          && s.charAt(he) != ' ' && s.charAt(he) != '"' && s.charAt(he) != '\'') {
        if (s.charAt(he) == '@') {
          at = he;
        }
        he++;
      }
      int hostStart = at >= 0 ? at + 1 : hs;
      String host = s.substring(hostStart, he);
      for (String internal : INTERNAL_HOSTS) {
        if (hostSlashStartsWith(s, hostStart, he, internal)
            || (internal.startsWith(".") && host.endsWith(internal))) {
          return new Hit(85, Math.max(0, p - 5), Math.min(n, he + 8), "internal-host");
        }
      }
      if (isIpLiteral(host) || host.startsWith("[")) {
        boolean script = s.indexOf(".php", he) >= 0 || s.indexOf(".txt", he) >= 0
            || s.endsWith("?") || s.indexOf(".sh", he) >= 0;
        return new Hit(script ? 85 : 60, Math.max(0, p - 5), Math.min(n, he + 16), "ip-url");
      }
      if (s.endsWith("?") && p < 8) {
        return new Hit(70, Math.max(0, p - 5), n, "url-trailing-question-mark");
      }
    }
    return null;
  }

  /** Whether {@code s[from, to) + "/"} starts with {@code prefix}. */
  private static boolean hostSlashStartsWith(String s, int from, int to, String prefix) {
    int len = prefix.length();
    int hostLen = to - from;
    if (len <= hostLen) {
      return s.startsWith(prefix, from);
    }
    return len == hostLen + 1 && prefix.charAt(len - 1) == '/' && s.regionMatches(from, prefix, 0, hostLen);
  }

  private static boolean isIpLiteral(String host) {
    int colon = host.lastIndexOf(':');
    String h = colon > 0 && host.indexOf(']') < 0 ? host.substring(0, colon) : host;
    int dots = 0;
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      if (c == '.') {
        dots++;
      } else if (!(c >= '0' && c <= '9')) {
        return false;
      }
    }
    return dots == 3 || (dots == 0 && h.length() >= 8);
  }

  private static final String[][] TEMPLATE_PAIRS = {{"{{", "}}"}, {"${", "}"}, {"#{", "}"},
      {"<%=", "%>"}, {"{%", "%}"}, {"*{", "}"}, {"@(", ")"}, {"[[", "]]"}};

  /** Server-side template and expression-language injection: {{..}}, ${..}, #{..}, <%= %>, {%..%}. */
  public static Hit template(String s) {
    int n = s.length();
    for (String[] pair : TEMPLATE_PAIRS) {
      int p = s.indexOf(pair[0]);
      if (p < 0) {
        continue;
      }
      int e = s.indexOf(pair[1], p + pair[0].length());
      if (e < 0) {
        continue;
      }
      String inner = s.substring(p + pair[0].length(), e);
      if (inner.isBlank()) {
        continue;
      }
      boolean expression = false;
      for (int i = 0; i < inner.length(); i++) {
        char c = inner.charAt(i);
        if (c == '(' || c == '*' || c == '+' || c == '.' || c == '[' || c == '|' || c == '\'' || c == '"'
            || c == '=' || c == ':' || c == '_' || c == '{' || c == '$' || c == '#' || c == '@') {
          expression = true;
          break;
        }
      }
      if (pair[0].equals("{%") || pair[0].equals("#{")) {
        expression = inner.indexOf('(') >= 0 || inner.contains("__") || inner.contains("import")
            || inner.contains("config") || inner.contains("request") || inner.contains("self");
      }
      if (pair[0].equals("[[") || pair[0].equals("@(") || pair[0].equals("*{")) {
        expression = expression && inner.indexOf('(') >= 0;
      }
      if (expression) {
        return new Hit(pair[0].equals("${") || pair[0].equals("{{") || pair[0].equals("<%=") ? 80 : 70,
            p, Math.min(n, e + pair[1].length()), "template:" + pair[0]);
      }
    }
    return null;
  }

  /** Java: JNDI lookups (with Log4Shell-style nested-lookup obfuscation), deserialization, reflection. */
  public static Hit java(String s, int markers) {
    int n = s.length();
    if (s.indexOf("${") >= 0) {
      String resolved = resolveLookups(s);
      int p = resolved.indexOf("${jndi:");
      if (p >= 0) {
        return new Hit(95, 0, Math.min(n, 60), "jndi-lookup");
      }
      for (String lookup : new String[] {"${env:", "${sys:", "${java:", "${ctx:", "${main:", "${bundle:",
          "${spring:", "${k8s:", "${docker:", "${web:", "${jvmrunargs:", "${log4j:", "${date:", "${base64:"}) {
        int q = resolved.indexOf(lookup);
        if (q >= 0) {
          return new Hit(75, 0, Math.min(n, 60), "log4j-lookup");
        }
      }
    }
    for (long mt = (markers & JAVA) == 0 ? -1 : JAVA_MARKERS.find(s, 0); mt >= 0; mt = JAVA_MARKERS.find(s, MarkerSet.position(mt) + 1)) {
      String m = JAVA_MARKERS.marker(MarkerSet.index(mt));
      int p = MarkerSet.position(mt);
      {
        boolean strong = m.contains("(") || m.startsWith("java.lang") || m.equals("aced0005")
            || m.equals("ro0ab") || m.startsWith("class.") || m.equals("#_memberaccess")
            || m.startsWith("${") || m.startsWith("@java") || m.startsWith("new java")
            || m.equals("processbuilder") || m.equals("runtime.getruntime") || m.equals("classloader");
        if (!strong && p > 0 && isWordChar(s.charAt(p - 1))) {
          continue;
        }
        return new Hit(strong ? 85 : 55, p, Math.min(n, p + m.length() + 16), "java:" + m);
      }
    }
    return null;
  }

  /** Resolves Log4j-style nested lookups used for obfuscation: ${lower:j}, ${::-j}, ${env:X:-j}. */
  static String resolveLookups(String s) {
    String cur = s;
    for (int round = 0; round < 8; round++) {
      StringBuilder b = new StringBuilder(cur.length());
      boolean changed = false;
      int i = 0;
      while (i < cur.length()) {
        int p = cur.indexOf("${", i);
        if (p < 0) {
          b.append(cur, i, cur.length());
          break;
        }
        int e = cur.indexOf('}', p + 2);
        int nested = cur.indexOf("${", p + 2);
        if (e < 0) {
          b.append(cur, i, cur.length());
          break;
        }
        if (nested >= 0 && nested < e) {
          b.append(cur, i, nested);
          i = nested;
          // keep the outer "${" text and resolve the inner one on this pass
          int ie = cur.indexOf('}', nested + 2);
          String inner = cur.substring(nested + 2, ie);
          String r = resolveOne(inner);
          if (r != null) {
            b.append(r);
            i = ie + 1;
            changed = true;
          } else {
            b.append(cur, nested, ie + 1);
            i = ie + 1;
          }
          continue;
        }
        b.append(cur, i, p);
        String inner = cur.substring(p + 2, e);
        String r = resolveOne(inner);
        if (r != null) {
          b.append(r);
          changed = true;
        } else {
          b.append(cur, p, e + 1);
        }
        i = e + 1;
      }
      cur = b.toString();
      if (!changed) {
        break;
      }
    }
    return cur;
  }

  private static String resolveOne(String inner) {
    int d = inner.indexOf(":-");
    if (d >= 0) {
      return inner.substring(d + 2);
    }
    if (inner.startsWith("lower:") || inner.startsWith("upper:")) {
      return inner.substring(6);
    }
    return null;
  }

  /** PHP code injection: opening tags, wrappers, superglobals, dangerous functions, serialized objects. */
  public static Hit php(String s, int markers) {
    int n = s.length();
    for (long mt = (markers & PHP) == 0 ? -1 : PHP_MARKERS.find(s, 0); mt >= 0; mt = PHP_MARKERS.find(s, MarkerSet.position(mt) + 1)) {
      String m = PHP_MARKERS.marker(MarkerSet.index(mt));
      int p = MarkerSet.position(mt);
      {
        if (m.endsWith("(") && p > 0 && (isWordChar(s.charAt(p - 1)) || s.charAt(p - 1) == '.')) {
          continue;
        }
        if (m.equals("chr(") || m.equals("assert(") || m.equals("extract(") || m.equals("include(")
            || m.equals("require(") || m.equals("dl(") || m.equals("fopen(") || m.equals("getenv(")
            || m.equals("usort(") || m.equals("array_map(") || m.equals("array_filter(")) {
          // common words: need a PHP-ish surrounding ($, ;, quotes) to count
          if (s.indexOf('$') < 0 && s.indexOf(';') < 0 && s.indexOf('"') < 0 && s.indexOf('\'') < 0) {
            continue;
          }
        }
        return new Hit(80, p, Math.min(n, p + m.length() + 16), "php:" + m);
      }
    }
    // serialized PHP object: O:8:"ClassName":1:{ ...
    for (int p = s.indexOf("o:"); p >= 0; p = s.indexOf("o:", p + 2)) {
      int j = p + 2;
      while (j < n && Character.isDigit(s.charAt(j))) {
        j++;
      }
      if (j > p + 2 && j + 1 < n && s.charAt(j) == ':' && s.charAt(j + 1) == '"'
          && (p == 0 || !isWordChar(s.charAt(p - 1)))) {
        return new Hit(85, p, Math.min(n, j + 24), "php-serialized-object");
      }
    }
    // variable function call: $x(...) or ("system")("id")
    int q = s.indexOf(")(");
    if (q > 0 && s.lastIndexOf('(', q) >= 0) {
      int a = s.lastIndexOf('(', q);
      String callee = s.substring(a + 1, q).replace("'", "").replace("\"", "").trim();
      if (COMMANDS.contains(callee) || callee.equals("system") || callee.equals("passthru")
          || callee.equals("shell_exec") || callee.equals("exec") || callee.equals("assert")) {
        return new Hit(85, a, Math.min(n, q + 16), "php-variable-function");
      }
    }
    for (long mt = (markers & NODE) == 0 ? -1 : NODE_MARKERS.find(s, 0); mt >= 0; mt = NODE_MARKERS.find(s, MarkerSet.position(mt) + 1)) {
      String m = NODE_MARKERS.marker(MarkerSet.index(mt));
      int p = MarkerSet.position(mt);
      {
        return new Hit(80, p, Math.min(n, p + m.length() + 16), "node:" + m);
      }
    }
    return null;
  }

  static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  }
}
