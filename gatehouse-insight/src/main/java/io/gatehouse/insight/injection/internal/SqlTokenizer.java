package io.gatehouse.insight.injection.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * A small SQL lexer in the spirit of libinjection: it splits text into token classes (numbers,
 * strings, words, keywords, functions, operators, punctuation, comments) so that detection can
 * reason about the shape of the token stream instead of raw characters. Not thread-safe: one
 * instance per use (cheap to create).
 */
final class SqlTokenizer {
  // Token classes (one char each, kept readable in tests and evidence).
  static final char NUMBER = '1';
  static final char STRING = 's';
  static final char WORD = 'n';
  static final char VARIABLE = 'v';
  static final char SELECT = 'E';
  static final char STATEMENT = 'I';
  static final char UNION = 'U';
  static final char FROM = 'F';
  static final char CLAUSE = 'K';
  static final char KEYWORD = 'k';
  static final char LOGIC = '&';
  static final char COMPARE = 'c';
  static final char OPERATOR = 'o';
  static final char FUNCTION = 'f';
  static final char DANGEROUS = 'g';
  static final char CALL = 'u';
  static final char LPAREN = '(';
  static final char RPAREN = ')';
  static final char COMMA = ',';
  static final char SEMICOLON = ';';
  static final char COMMENT = 'x';
  static final char OTHER = '?';

  static final int MAX_TOKENS = 512;

  private static final Map<String, Character> WORDS = new HashMap<>();
  private static final java.util.Set<String> CALLABLE = new java.util.HashSet<>();

  static {
    put(SELECT, "select");
    put(STATEMENT, "insert", "update", "delete", "drop", "create", "alter", "truncate", "exec",
        "execute", "declare", "waitfor", "shutdown", "grant", "revoke", "handler", "rename",
        "merge", "attach", "pragma");
    put(UNION, "union", "intersect", "except", "minus");
    put(FROM, "from");
    put(CLAUSE, "where", "order", "group", "having", "limit", "procedure", "into", "outfile",
        "dumpfile", "offset", "fetch");
    put(KEYWORD, "by", "as", "on", "join", "set", "values", "table", "database", "case", "when",
        "then", "else", "end", "all", "distinct", "null", "true", "false", "exists", "delay",
        "collate", "escape", "top", "asc", "desc", "with", "begin", "using", "inner", "outer",
        "left", "right", "cross", "natural", "into", "rownum", "unknown", "localtime", "time",
        "schema", "column", "columns", "tables", "view", "index", "function", "user", "current_user",
        "system_user", "session_user", "identified", "declare", "cursor", "for", "binary", "char",
        "nchar", "varchar", "nvarchar", "int", "integer", "mode", "share", "lock", "if", "elseif",
        "utf8", "utf8mb4", "latin1", "lateral", "returning", "nowait", "separator", "straight_join");
    put(LOGIC, "and", "or", "xor");
    put(COMPARE, "like", "rlike", "regexp", "sounds", "is", "in", "between", "glob", "match",
        "ilike", "similar");
    put(OPERATOR, "not", "div", "mod", "collate");
    put(DANGEROUS, "sleep", "benchmark", "pg_sleep", "load_file", "extractvalue", "updatexml",
        "xp_cmdshell", "sp_executesql", "sp_oacreate", "sp_makewebtask", "xp_regread",
        "xp_dirtree", "sys_eval", "sys_exec", "utl_inaddr.get_host_address",
        "utl_inaddr.get_host_name", "utl_http.request", "dbms_pipe.receive_message",
        "ctxsys.drithsx.sn", "dbms_lock.sleep", "load_extension", "randomblob", "name_const",
        "get_lock", "into_outfile", "openrowset", "opendatasource", "xmltype", "dbms_xmlgen.getxml",
        "pg_read_file", "pg_ls_dir", "lo_import", "copy_to", "json_keys", "exp", "geometrycollection",
        "multipoint", "polygon", "linestring", "multilinestring", "multipolygon", "gtid_subset");
    put(FUNCTION, "ascii", "char", "chr", "concat", "concat_ws", "group_concat", "substring",
        "substr", "mid", "left", "right", "length", "len", "cast", "convert", "count", "sum", "min",
        "max", "avg", "if", "ifnull", "isnull", "nullif", "coalesce", "hex", "unhex", "md5", "sha1",
        "sha2", "rand", "floor", "ceil", "ceiling", "round", "abs", "sin", "cos", "tan", "version",
        "database", "user", "current_user", "system_user", "session_user", "schema", "now",
        "sysdate", "elt", "field", "make_set", "export_set", "json_extract", "pow", "power", "ord",
        "lower", "upper", "lcase", "ucase", "trim", "ltrim", "rtrim", "replace", "reverse", "instr",
        "locate", "position", "strcmp", "bin", "oct", "conv", "db_name", "host_name", "user_name",
        "object_id", "is_srvrolemember", "char_length", "character_length", "octet_length",
        "unicode", "nchar", "to_char", "dump", "sqlite_version", "iif", "choose", "last", "dcount",
        "stuff", "space", "quotename", "getdate", "found_rows", "row_count", "connection_id",
        "last_insert_id", "uuid", "encode", "decode", "compress", "uncompress", "crc32", "exists",
        "row", "sqrt", "ln", "log", "mod", "sign", "greatest", "least", "date", "datediff",
        "date_format", "from_base64", "to_base64", "cot", "atan", "pi", "bit_length", "soundex",
        "lpad", "rpad", "repeat", "insert", "format", "current_database", "pg_sleep", "typeof",
        "zeroblob", "sqlite_master", "char_to_string", "nvl", "decode", "instrb", "substrb",
        "strpos", "string_agg", "array_agg", "xmlagg", "listagg", "rawtohex", "chartorowid",
        "current_setting", "inet_server_addr", "version", "schema_name", "suser_name",
        "suser_sname", "system_user", "waitfor", "ifnull", "case", "values", "count_big", "unhex",
        "substring_index", "regexp_substr", "regexp_like", "regexp_replace", "json_object",
        "json_array", "json_value", "collation", "charset", "coercibility", "benchmark");
  }

  private static void put(char type, String... words) {
    for (String w : words) {
      WORDS.putIfAbsent(w, type);
      if (type == FUNCTION || type == DANGEROUS) {
        CALLABLE.add(w);
      }
    }
  }

  final char[] type = new char[MAX_TOKENS];
  final int[] start = new int[MAX_TOKENS];
  final int[] end = new int[MAX_TOKENS];
  /** Whether a string token was left open by the end of input. */
  final boolean[] open = new boolean[MAX_TOKENS];
  /** Scratch space for the detector's view of non-comment tokens. */
  final int[] index = new int[MAX_TOKENS];
  int count;
  int comments;
  boolean systemVariable;

  /**
   * Tokenizes {@code s}; with {@code quote} other than 0 the input is read as if it started inside
   * a string delimited by that quote (the value was injected into a quoted SQL literal).
   */
  void tokenize(String s, char quote) {
    count = 0;
    comments = 0;
    systemVariable = false;
    int n = s.length();
    int i = 0;
    if (quote != 0) {
      int close = findClose(s, 0, quote);
      add(STRING, 0, close < 0 ? n : close, close < 0);
      i = close < 0 ? n : close + 1;
    }
    while (i < n && count < MAX_TOKENS) {
      char c = s.charAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      int st = i;
      if (c == '\'' || c == '"') {
        int close = findClose(s, i + 1, c);
        add(STRING, i, close < 0 ? n : close + 1, close < 0);
        i = close < 0 ? n : close + 1;
      } else if (c == '`') {
        int close = s.indexOf('`', i + 1);
        add(WORD, i, close < 0 ? n : close + 1, false);
        i = close < 0 ? n : close + 1;
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        if (i + 2 < n && s.charAt(i + 2) == '!') {
          // MySQL executable comment: its body is code; skip the marker and the version digits.
          i += 3;
          while (i < n && Character.isDigit(s.charAt(i))) {
            i++;
          }
          continue;
        }
        int close = s.indexOf("*/", i + 2);
        add(COMMENT, i, close < 0 ? n : close + 2, false);
        comments++;
        i = close < 0 ? n : close + 2;
      } else if (c == '*' && i + 1 < n && s.charAt(i + 1) == '/') {
        i += 2; // closing marker of an executable comment
      } else if ((c == '-' && i + 1 < n && s.charAt(i + 1) == '-'
          && (i + 2 >= n || !(s.charAt(i + 2) >= 'a' && s.charAt(i + 2) <= 'z')))
          || (c == '#' && !(i + 1 < n && isDigit(s.charAt(i + 1))))) {
        int nl = s.indexOf('\n', i);
        add(COMMENT, i, nl < 0 ? n : nl, false);
        comments++;
        i = nl < 0 ? n : nl + 1;
      } else if (c >= '0' && c <= '9' || (c == '.' && i + 1 < n && isDigit(s.charAt(i + 1)))) {
        i = number(s, i);
        // a number immediately followed by letters (e.g. 0xzz, 3rd) is a word in SQL terms, unless
        // the letters are a keyword MySQL splits off ("1and", "1union", "1from")
        if (i < n && isWordChar(s.charAt(i)) && !keywordAt(s, i)) {
          while (i < n && isWordChar(s.charAt(i))) {
            i++;
          }
          add(WORD, st, i, false);
        } else {
          add(NUMBER, st, i, false);
        }
      } else if (c == '@') {
        i++;
        if (i < n && s.charAt(i) == '@') {
          i++;
          systemVariable = true;
        }
        if (i < n && (s.charAt(i) == '`' || s.charAt(i) == '\'' || s.charAt(i) == '"')) {
          int close = s.indexOf(s.charAt(i), i + 1);
          i = close < 0 ? n : close + 1;
        }
        while (i < n && (isWordChar(s.charAt(i)) || s.charAt(i) == '.')) {
          i++;
        }
        add(VARIABLE, st, i, false);
      } else if (isWordStart(c)) {
        i++;
        int dot = -1; // the first dot inside the word
        while (i < n) {
          char w = s.charAt(i);
          if (w == '.' && i + 1 < n && (isWordChar(s.charAt(i + 1)) || s.charAt(i + 1) == '.')) {
            dot = dot < 0 ? i : dot;
          } else if (!isWordChar(w)) {
            break;
          }
          i++;
        }
        // N'..', X'..', B'..', E'..' literal prefixes
        if (i - st == 1 && i < n && s.charAt(i) == '\''
            && (c == 'n' || c == 'x' || c == 'b' || c == 'e' || c == 'q')) {
          int close = findClose(s, i + 1, '\'');
          add(STRING, st, close < 0 ? n : close + 1, close < 0);
          i = close < 0 ? n : close + 1;
          continue;
        }
        // "select.2alias", "union.x": a keyword before a dot is its own token
        if (dot > st) {
          int sl = slot(s, st, dot);
          Character k = sl < 0 ? null : TYPES[sl];
          if (k != null && k != FUNCTION && k != DANGEROUS && k != KEYWORD) {
            i = dot;
          }
        }
        word(s, st, i, dot > st && dot < i);
      } else {
        i = punct(s, i);
      }
    }
  }

  private static final java.util.Set<String> DANGEROUS_NAMES = java.util.Set.of("sleep",
      "benchmark", "pg_sleep", "load_file", "extractvalue", "updatexml", "xp_cmdshell",
      "sp_executesql", "sys_eval", "sys_exec", "dbms_pipe.receive_message", "dbms_lock.sleep",
      "utl_inaddr.get_host_address", "utl_inaddr.get_host_name", "utl_http.request",
      "load_extension", "randomblob", "name_const", "get_lock", "openrowset", "pg_read_file",
      "json_keys", "gtid_subset", "ctxsys.drithsx.sn", "xmltype");

  // Open-addressing index over WORDS so tokenizing never allocates a substring per word.
  private static final int TABLE = 2048;
  private static final String[] KEYS = new String[TABLE];
  private static final char[] TYPES = new char[TABLE];

  static {
    for (Map.Entry<String, Character> e : WORDS.entrySet()) {
      int h = hash(e.getKey(), 0, e.getKey().length()) & (TABLE - 1);
      while (KEYS[h] != null) {
        h = (h + 1) & (TABLE - 1);
      }
      KEYS[h] = e.getKey();
      TYPES[h] = e.getValue();
    }
  }

  private static int hash(String s, int st, int en) {
    int h = 0;
    for (int i = st; i < en; i++) {
      h = 31 * h + s.charAt(i);
    }
    return h ^ (h >>> 11);
  }

  /** The slot of the word {@code s[st, en)} in the keyword table, or -1. */
  private static int slot(String s, int st, int en) {
    int len = en - st;
    if (len > 32) {
      return -1;
    }
    int h = hash(s, st, en) & (TABLE - 1);
    while (KEYS[h] != null) {
      if (KEYS[h].length() == len && s.regionMatches(st, KEYS[h], 0, len)) {
        return h;
      }
      h = (h + 1) & (TABLE - 1);
    }
    return -1;
  }

  private static boolean isDangerous(String w) {
    return DANGEROUS_NAMES.contains(w);
  }

  private static boolean keywordAt(String s, int i) {
    int j = i;
    while (j < s.length() && isWordChar(s.charAt(j))) {
      j++;
    }
    int k = slot(s, i, j);
    Character t = k < 0 ? null : TYPES[k];
    return t != null && t != FUNCTION && t != DANGEROUS && t != KEYWORD;
  }

  /** Adds the word {@code s[st, en)}; {@code dotted} tells whether it holds a dot. */
  private void word(String s, int st, int en, boolean dotted) {
    int sl = slot(s, st, en);
    Character t = sl < 0 ? null : TYPES[sl];
    int next = skipSpace(s, en);
    boolean paren = next < s.length() && s.charAt(next) == '(';
    if (t == null && !paren && !dotted) {
      add(WORD, st, en, false);
      return;
    }
    String w = sl >= 0 ? KEYS[sl] : s.substring(st, en);
    if (t == null) {
      int dot = w.lastIndexOf('.');
      if (dot > 0 && dot < w.length() - 1) {
        t = WORDS.get(w.substring(dot + 1));
        if (t != null && t != FUNCTION && t != DANGEROUS) {
          t = null;
        }
      }
    }
    char type;
    if (paren && CALLABLE.contains(w) && t != SELECT && t != STATEMENT && t != LOGIC
        && t != COMPARE && t != UNION) {
      type = isDangerous(w) ? DANGEROUS : FUNCTION;
    } else if (t == null) {
      type = paren && next == en ? CALL : WORD;
    } else if (t == FUNCTION || t == DANGEROUS) {
      type = paren ? t : WORD;
    } else {
      type = t;
    }
    // "union all select", "order by", "group by" are folded into the first keyword
    add(type, st, en, false);
  }

  private int punct(String s, int i) {
    int n = s.length();
    char c = s.charAt(i);
    char d = i + 1 < n ? s.charAt(i + 1) : 0;
    char e = i + 2 < n ? s.charAt(i + 2) : 0;
    switch (c) {
      case '(':
        add(LPAREN, i, i + 1, false);
        return i + 1;
      case ')':
        add(RPAREN, i, i + 1, false);
        return i + 1;
      case ',':
        add(COMMA, i, i + 1, false);
        return i + 1;
      case ';':
        add(SEMICOLON, i, i + 1, false);
        return i + 1;
      case '&':
        if (d == '&') {
          add(LOGIC, i, i + 2, false);
          return i + 2;
        }
        add(OPERATOR, i, i + 1, false);
        return i + 1;
      case '|':
        if (d == '|') {
          add(LOGIC, i, i + 2, false);
          return i + 2;
        }
        add(OPERATOR, i, i + 1, false);
        return i + 1;
      case '=':
        add(COMPARE, i, d == '=' ? i + 2 : i + 1, false);
        return d == '=' ? i + 2 : i + 1;
      case '<':
        if (d == '=' && e == '>') {
          add(COMPARE, i, i + 3, false);
          return i + 3;
        }
        if (d == '=' || d == '>') {
          add(COMPARE, i, i + 2, false);
          return i + 2;
        }
        if (d == '<') {
          add(OPERATOR, i, i + 2, false);
          return i + 2;
        }
        add(COMPARE, i, i + 1, false);
        return i + 1;
      case '>':
        if (d == '=') {
          add(COMPARE, i, i + 2, false);
          return i + 2;
        }
        if (d == '>') {
          add(OPERATOR, i, i + 2, false);
          return i + 2;
        }
        add(COMPARE, i, i + 1, false);
        return i + 1;
      case '!':
        if (d == '=' || d == '<' || d == '>') {
          add(COMPARE, i, i + 2, false);
          return i + 2;
        }
        add(OPERATOR, i, i + 1, false);
        return i + 1;
      case ':':
        if (d == '=') {
          add(OPERATOR, i, i + 2, false);
          return i + 2;
        }
        add(OTHER, i, i + 1, false);
        return i + 1;
      case '+': case '-': case '*': case '/': case '%': case '^': case '~':
        add(OPERATOR, i, i + 1, false);
        return i + 1;
      case '.':
        add(OTHER, i, i + 1, false);
        return i + 1;
      default:
        add(OTHER, i, i + 1, false);
        return i + 1;
    }
  }

  private static int number(String s, int i) {
    int n = s.length();
    if (s.charAt(i) == '0' && i + 1 < n && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'b')) {
      int j = i + 2;
      while (j < n && Normalizer.hex(s.charAt(j)) >= 0) {
        j++;
      }
      if (j > i + 2) {
        return j;
      }
    }
    int j = i;
    while (j < n && isDigit(s.charAt(j))) {
      j++;
    }
    if (j < n && s.charAt(j) == '.') {
      j++;
      while (j < n && isDigit(s.charAt(j))) {
        j++;
      }
    }
    if (j < n && s.charAt(j) == 'e') {
      int k = j + 1;
      if (k < n && (s.charAt(k) == '+' || s.charAt(k) == '-')) {
        k++;
      }
      if (k < n && isDigit(s.charAt(k))) {
        j = k;
        while (j < n && isDigit(s.charAt(j))) {
          j++;
        }
      }
    }
    return j;
  }

  private static int findClose(String s, int from, char quote) {
    int n = s.length();
    for (int i = from; i < n; i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == quote) {
        if (i + 1 < n && s.charAt(i + 1) == quote) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  private void add(char t, int s, int e, boolean isOpen) {
    if (count < MAX_TOKENS) {
      type[count] = t;
      start[count] = s;
      end[count] = e;
      open[count] = isOpen;
      count++;
    }
  }

  static int skipSpace(String s, int i) {
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  static boolean isSpace(char c) {
    return c <= ' ' || c == 0xa0;
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isWordStart(char c) {
    return (c >= 'a' && c <= 'z') || c == '_' || c == '$' || c == '[' || c >= 0x80;
  }

  static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c == ']'
        || c >= 0x80;
  }

  /** The shape of the token stream, one class character per token, for tests and debugging. */
  String shape() {
    return new String(type, 0, count);
  }
}
