package io.gatehouse.insight.injection.internal;

import static io.gatehouse.insight.injection.internal.SqlTokenizer.*;

/**
 * Detects SQL injection by tokenizing a value in the three contexts it can be injected into (bare,
 * inside a single-quoted literal, inside a double-quoted literal) and matching grammar patterns on
 * the token shapes: UNION SELECT, statement chaining, boolean/time-based conditions after a logic
 * operator, literal breakouts followed by SQL, and comment truncation. Stateless and thread-safe.
 */
public final class SqliDetector {
  /** A detection: the score and the span of the normalized text that triggered it. */
  public record Hit(int score, int start, int end, String rule) {}

  private static final ThreadLocal<SqlTokenizer> TOKENIZER = ThreadLocal.withInitial(SqlTokenizer::new);

  private SqliDetector() {}

  /** Returns the strongest hit on the normalized (lower-case) value, or {@code null}. */
  public static Hit detect(String s) {
    SqlTokenizer t = TOKENIZER.get();
    Hit best = null;
    best = better(best, inContext(t, s, (char) 0));
    if (best != null && best.score >= 90) {
      return best;
    }
    if (s.indexOf('\'') >= 0) {
      best = better(best, inContext(t, s, '\''));
    }
    if (s.indexOf('"') >= 0 && (best == null || best.score < 90)) {
      best = better(best, inContext(t, s, '"'));
    }
    return best;
  }

  private static Hit better(Hit a, Hit b) {
    if (a == null) {
      return b;
    }
    return b != null && b.score > a.score ? b : a;
  }

  private static Hit inContext(SqlTokenizer t, String s, char quote) {
    t.tokenize(s, quote);
    if (t.count == 0) {
      return null;
    }
    // Non-comment view of the stream.
    int[] idx = t.index;
    int m = 0;
    boolean trailingComment = false;
    int firstComment = -1;
    for (int i = 0; i < t.count; i++) {
      if (t.type[i] == COMMENT) {
        if (firstComment < 0) {
          firstComment = m;
        }
        trailingComment = true;
      } else {
        idx[m++] = i;
        trailingComment = false;
      }
    }
    Hit best = null;
    if (quote != 0) {
      if (t.open[0]) {
        return null; // no closing quote: the value cannot break out of the literal
      }
      best = better(best, breakout(t, idx, m, firstComment, s));
      if (best != null && best.score >= 90) {
        return best;
      }
    }
    for (int k = 0; k < m; k++) {
      char ty = t.type[idx[k]];
      Hit h = null;
      switch (ty) {
        case UNION:
          h = union(t, idx, m, k);
          break;
        case SELECT:
          h = select(t, idx, m, k);
          break;
        case STATEMENT:
          h = statement(t, s, idx, m, k);
          break;
        case SEMICOLON:
          if (k + 1 < m && (type(t, idx, m, k + 1) == SELECT || type(t, idx, m, k + 1) == STATEMENT)) {
            h = hit(t, idx, k, Math.min(k + 3, m - 1), 95, "stacked-statement");
          } else if (k + 1 < m && (type(t, idx, m, k - 1) == NUMBER || type(t, idx, m, k - 1) == RPAREN
              || (k == 1 && type(t, idx, m, 0) == STRING)) && AFTER_SEMICOLON.contains(text(t, s, idx[k + 1]))) {
            h = hit(t, idx, k, Math.min(k + 2, m - 1), 85, "stacked-statement");
          }
          break;
        case FUNCTION:
          h = function(t, s, idx, m, k);
          break;
        case KEYWORD:
          if (is(t, s, idx[k], "case")) {
            for (int j = k + 1; j < m && j <= k + 3; j++) {
              if (is(t, s, idx[j], "when")) {
                for (int l = j + 1; l < m && l <= j + 8; l++) {
                  if (is(t, s, idx[l], "then")) {
                    h = hit(t, idx, k, l, 80, "case-when");
                    break;
                  }
                }
                break;
              }
            }
          }
          break;
        case COMPARE:
          h = comparisonThenLogic(t, idx, m, k);
          break;
        case LOGIC:
          h = logic(t, s, idx, m, k);
          break;
        case DANGEROUS:
          if (k + 1 < m && type(t, idx, m, k + 1) == LPAREN) {
            h = hit(t, idx, k, Math.min(k + 3, m - 1), 80, "dangerous-function");
          }
          break;
        case CLAUSE:
          h = clause(t, s, idx, m, k);
          break;
        default:
          break;
      }
      best = better(best, h);
      if (best != null && best.score >= 95) {
        return best;
      }
    }
    if (firstComment >= 0 && firstComment > 0) {
      best = better(best, commentTruncation(t, idx, firstComment, quote));
    }
    if (t.systemVariable && best == null) {
      for (int k = 0; k < m; k++) {
        if (t.type[idx[k]] == VARIABLE && s.startsWith("@@", t.start[idx[k]])) {
          best = hit(t, idx, k, k, 60, "system-variable");
          break;
        }
      }
    }
    return best;
  }

  private static final java.util.Set<String> AFTER_SEMICOLON = java.util.Set.of("call", "load",
      "do", "set", "use", "show", "describe", "kill", "lock", "unlock", "flush", "reset",
      "prepare", "open", "backup", "restore", "reconfigure", "dbcc", "commit", "rollback");
  private static final java.util.Set<String> INFO_FUNCTIONS = java.util.Set.of("version",
      "database", "user", "current_user", "system_user", "session_user", "schema", "db_name",
      "user_name", "host_name", "current_database", "suser_name", "suser_sname", "connection_id",
      "last_insert_id", "found_rows", "row_count", "sqlite_version", "getdate", "sysdate", "now");

  /** A known SQL function whose arguments hold SQL (nested calls, comparisons, variables). */
  private static Hit function(SqlTokenizer t, String s, int[] idx, int m, int k) {
    if (type(t, idx, m, k + 1) != LPAREN) {
      return null;
    }
    String name = text(t, s, idx[k]);
    if (INFO_FUNCTIONS.contains(name) && type(t, idx, m, k + 2) == RPAREN) {
      return hit(t, idx, k, k + 2, 70, "info-function");
    }
    int depth = 0;
    for (int j = k + 1; j < m && j <= k + 40; j++) {
      char c = type(t, idx, m, j);
      if (c == LPAREN) {
        depth++;
      } else if (c == RPAREN) {
        depth--;
        if (depth == 0) {
          break;
        }
      } else if (c == FUNCTION || c == DANGEROUS || c == SELECT || c == COMPARE || c == VARIABLE) {
        return hit(t, idx, k, j, 75, "function-arguments");
      }
    }
    char prev = type(t, idx, m, k - 1);
    if (prev == OPERATOR && (type(t, idx, m, k - 2) == NUMBER || type(t, idx, m, k - 2) == STRING)) {
      return hit(t, idx, k - 2, k, 70, "arithmetic-function");
    }
    return null;
  }

  /** {@code 1=1 AND ...}: a comparison of literals followed by a logic operator. */
  private static Hit comparisonThenLogic(SqlTokenizer t, int[] idx, int m, int k) {
    char prev = type(t, idx, m, k - 1);
    char next = type(t, idx, m, k + 1);
    if ((prev == NUMBER || prev == STRING) && (next == NUMBER || next == STRING)
        && type(t, idx, m, k + 2) == LOGIC && k + 3 < m) {
      return hit(t, idx, k - 1, k + 2, 80, "comparison-logic");
    }
    return null;
  }

  private static char type(SqlTokenizer t, int[] idx, int m, int k) {
    return k < m && k >= 0 ? t.type[idx[k]] : 0;
  }

  private static boolean operand(char c) {
    return c == NUMBER || c == STRING || c == WORD || c == VARIABLE || c == RPAREN || c == KEYWORD;
  }

  private static boolean valueStart(char c) {
    return c == NUMBER || c == STRING || c == WORD || c == VARIABLE || c == LPAREN
        || c == FUNCTION || c == DANGEROUS || c == CALL || c == SELECT || c == OPERATOR
        || c == KEYWORD;
  }

  private static Hit union(SqlTokenizer t, int[] idx, int m, int k) {
    char prev = type(t, idx, m, k - 1);
    char next = type(t, idx, m, k + 1);
    boolean tail = next == 0 || next == KEYWORD || next == LPAREN || next == SELECT;
    if ((prev == NUMBER || prev == RPAREN || (prev == STRING && k == 1)) && tail) {
      return hit(t, idx, k - 1, k, 80, "value-union");
    }
    for (int j = k + 1; j < m && j <= k + 4; j++) {
      char c = type(t, idx, m, j);
      if (c == SELECT) {
        return hit(t, idx, k, j, 95, "union-select");
      }
      if (c != KEYWORD && c != LPAREN) {
        break;
      }
    }
    return null;
  }

  private static Hit select(SqlTokenizer t, int[] idx, int m, int k) {
    char next = type(t, idx, m, k + 1);
    char prev = type(t, idx, m, k - 1);
    if (next == NUMBER || next == STRING || next == VARIABLE || next == FUNCTION
        || next == DANGEROUS || next == CALL || next == LPAREN || next == SELECT
        || (next == OPERATOR && t.end[idx[k + 1]] - t.start[idx[k + 1]] == 1)
        || (next == KEYWORD && k + 2 < m)) {
      return hit(t, idx, k, Math.min(k + 2, m - 1), 90, "select-expression");
    }
    if (prev == LPAREN || prev == SEMICOLON || prev == LOGIC || prev == COMPARE) {
      if (next != 0) {
        return hit(t, idx, k - 1, Math.min(k + 1, m - 1), 90, "subselect");
      }
    }
    for (int j = k + 1; j < m && j <= k + 12; j++) {
      if (type(t, idx, m, j) == FROM) {
        return hit(t, idx, k, j, 90, "select-from");
      }
    }
    return null;
  }

  private static Hit statement(SqlTokenizer t, String s, int[] idx, int m, int k) {
    String w = text(t, s, idx[k]);
    char n1 = type(t, idx, m, k + 1);
    char n2 = type(t, idx, m, k + 2);
    String w1 = k + 1 < m ? text(t, s, idx[k + 1]) : "";
    boolean start = k == 0 || type(t, idx, m, k - 1) == SEMICOLON;
    switch (w) {
      case "drop": case "create": case "alter": case "truncate": case "rename":
        if (w1.equals("table") || w1.equals("database") || w1.equals("procedure")
            || w1.equals("function") || w1.equals("user") || w1.equals("view")
            || w1.equals("index") || w1.equals("schema") || w1.equals("trigger")
            || (start && n1 == WORD && n2 == 0)) {
          return hit(t, idx, k, k + 1, 90, "ddl");
        }
        return null;
      case "insert":
        return w1.equals("into") || (n1 == WORD && n2 == LPAREN) ? hit(t, idx, k, k + 1, 90, "insert") : null;
      case "delete":
        return n1 == FROM ? hit(t, idx, k, k + 1, 90, "delete") : null;
      case "update":
        if (n1 == WORD && k + 2 < m && is(t, s, idx[k + 2], "set")) {
          return hit(t, idx, k, k + 2, 90, "update");
        }
        return null;
      case "exec": case "execute":
        if (n1 == LPAREN || n1 == VARIABLE || n1 == DANGEROUS
            || w1.startsWith("xp_") || w1.startsWith("sp_") || w1.startsWith("master.")
            || (n1 == WORD && n2 == VARIABLE)) {
          return hit(t, idx, k, k + 1, 90, "exec");
        }
        return null;
      case "declare":
        return n1 == VARIABLE ? hit(t, idx, k, k + 1, 90, "declare") : null;
      case "waitfor":
        return w1.equals("delay") || w1.equals("time") ? hit(t, idx, k, k + 1, 95, "waitfor") : null;
      case "shutdown":
        return start && k > 0 ? hit(t, idx, k, k, 90, "shutdown") : null;
      default:
        return null;
    }
  }

  /** A logic operator followed, within its operand, by a comparison, a known function or a subquery. */
  private static Hit logic(SqlTokenizer t, String s, int[] idx, int m, int k) {
    char prev = type(t, idx, m, k - 1);
    if (k > 0 && !(operand(prev) || prev == RPAREN || prev == CALL)) {
      return null;
    }
    int depth = 0;
    boolean seenOperand = false;
    for (int j = k + 1; j < m && j <= k + 24; j++) {
      char c = type(t, idx, m, j);
      if (c == LOGIC || c == SEMICOLON || c == COMMA) {
        if (depth <= 0) {
          return null;
        }
      }
      if (c == LPAREN) {
        depth++;
      } else if (c == RPAREN) {
        depth--;
      }
      if (c == SELECT || c == DANGEROUS) {
        return hit(t, idx, k, j, 90, "logic-subquery");
      }
      if (c == FUNCTION) {
        return hit(t, idx, k, Math.min(j + 1, m - 1), 85, "logic-function");
      }
      if (c == COMPARE && seenOperand && j + 1 < m && valueStart(type(t, idx, m, j + 1))
          && j - k <= 6 && !(isWordOperator(t, s, idx[j]) && type(t, idx, m, j + 1) == WORD)) {
        return hit(t, idx, k, j + 1, 85, "logic-comparison");
      }
      if (c == COMPARE && seenOperand && j + 1 >= m) {
        return null;
      }
      if (operand(c) || c == CALL) {
        seenOperand = true;
      }
    }
    if (seenOperand && t.count > 0 && t.type[t.count - 1] == COMMENT && m - k <= 4) {
      return hit(t, idx, k, m - 1, 75, "logic-comment");
    }
    return null;
  }

  private static boolean looksLikeHtml(String s) {
    for (int i = s.indexOf('<'); i >= 0 && i + 1 < s.length(); i = s.indexOf('<', i + 1)) {
      char c = s.charAt(i + 1);
      if ((c >= 'a' && c <= 'z') || c == '/' || c == '!') {
        return true;
      }
    }
    return false;
  }

  private static boolean isWordOperator(SqlTokenizer t, String s, int token) {
    return Character.isLetter(s.charAt(t.start[token]));
  }

  private static Hit clause(SqlTokenizer t, String s, int[] idx, int m, int k) {
    String w = text(t, s, idx[k]);
    char n1 = type(t, idx, m, k + 1);
    String w1 = k + 1 < m ? text(t, s, idx[k + 1]) : "";
    if ((w.equals("order") || w.equals("group")) && w1.equals("by") && k > 0
        && (type(t, idx, m, k + 2) == NUMBER || type(t, idx, m, k + 2) == FUNCTION
            || type(t, idx, m, k + 2) == DANGEROUS)
        && (operand(type(t, idx, m, k - 1)) || type(t, idx, m, k - 1) == RPAREN)) {
      return hit(t, idx, k, k + 2, 80, "order-by-number");
    }
    if (w.equals("into") && (w1.equals("outfile") || w1.equals("dumpfile"))) {
      return hit(t, idx, k, k + 1, 90, "into-outfile");
    }
    if (w.equals("procedure") && w1.equals("analyse")) {
      return hit(t, idx, k, k + 1, 90, "procedure-analyse");
    }
    if ((w.equals("having") || w.equals("where")) && k > 0 && n1 != 0 && n1 != KEYWORD) {
      for (int j = k + 1; j < m && j <= k + 6; j++) {
        if (type(t, idx, m, j) == COMPARE) {
          return hit(t, idx, k, j, 75, "where-condition");
        }
      }
    }
    return null;
  }

  /** The value closes the literal it was injected into and continues as SQL. */
  private static Hit breakout(SqlTokenizer t, int[] idx, int m, int firstComment, String s) {
    // idx[0] is the breakout literal (never a comment: it comes first)
    String literal = text(t, s, idx[0]);
    boolean wordLike = literal.indexOf(' ') < 0;
    if (firstComment == 1 || (m == 1 && firstComment >= 0)) {
      // literal closed, then a comment truncates the rest of the query
      int c = -1;
      for (int i = 0; i < t.count; i++) {
        if (t.type[i] == COMMENT) {
          c = i;
          break;
        }
      }
      boolean dashes = c >= 0 && s.charAt(t.start[c]) == '-';
      boolean atEnd = c >= 0 && t.end[c] - t.start[c] <= 3;
      if (wordLike || dashes) {
        return hit(t, idx, 0, 0, 80, "breakout-comment");
      }
    }
    if (m == 1) {
      return null;
    }
    // Re-balanced quotes: the value ends by opening a literal the application will close, after
    // SQL operators ("x' or '1", "a' - 'b").
    int last = idx[m - 1];
    if (m >= 3 && t.type[last] == STRING && t.open[last] && s.charAt(t.start[last]) == s.charAt(
        Math.min(s.length() - 1, t.end[idx[0]])) && !looksLikeHtml(s)) {
      char before = type(t, idx, m, m - 2);
      if (before == LOGIC || before == COMPARE || before == OPERATOR || before == LPAREN
          || before == COMMA) {
        boolean operator = false;
        for (int j = 1; j < m - 1; j++) {
          char c = type(t, idx, m, j);
          if (c == LOGIC || c == COMPARE || c == OPERATOR) {
            operator = true;
          }
        }
        boolean wordOp = m == 3 && isWordOperator(t, s, idx[1]);
        boolean shortSides = literal.trim().length() <= 3
            && s.substring(t.start[last], t.end[last]).trim().length() <= 4;
        if (operator && !(wordOp && !shortSides)) {
          return hit(t, idx, 0, m - 1, 80, "breakout-rebalanced");
        }
      }
    }
    char n1 = type(t, idx, m, 1);
    char n2 = type(t, idx, m, 2);
    switch (n1) {
      case LOGIC:
        if (n2 == FUNCTION || n2 == DANGEROUS || n2 == SELECT || n2 == LPAREN) {
          return hit(t, idx, 0, 2, 85, "breakout-logic");
        }
        return null;
      case COMPARE:
        if (n2 != 0 && valueStart(n2) && !(n2 == WORD && !s.startsWith("=", t.start[idx[1]]))
            && !(isWordOperator(t, s, idx[1]) && (n2 == WORD
                || (n2 == STRING && t.open[idx[2]])))) {
          return hit(t, idx, 0, 2, 80, "breakout-comparison");
        }
        return null;
      case SEMICOLON:
        if (n2 == SELECT || n2 == STATEMENT) {
          return hit(t, idx, 0, 2, 95, "breakout-stacked");
        }
        return null;
      case UNION: case CLAUSE: case SELECT: case FROM:
        return hit(t, idx, 0, 1, 85, "breakout-keyword");
      case RPAREN:
        for (int j = 2; j < m && j <= 6; j++) {
          char c = type(t, idx, m, j);
          boolean wordCompare = c == COMPARE && isWordOperator(t, s, idx[j])
              && type(t, idx, m, j + 1) == WORD;
          if ((c == LOGIC || c == UNION || c == SEMICOLON || c == CLAUSE || c == COMPARE) && !wordCompare) {
            return hit(t, idx, 0, j, 80, "breakout-paren");
          }
          if (c != RPAREN) {
            break;
          }
        }
        if (firstComment >= 0 && firstComment <= 4) {
          return hit(t, idx, 0, 1, 80, "breakout-paren-comment");
        }
        return null;
      case OPERATOR:
        if (n2 == FUNCTION || n2 == DANGEROUS || n2 == SELECT || n2 == LPAREN && type(t, idx, m, 3) == SELECT) {
          return hit(t, idx, 0, 2, 80, "breakout-concat");
        }
        return null;
      default:
        return null;
    }
  }

  private static Hit commentTruncation(SqlTokenizer t, int[] idx, int firstComment, char quote) {
    boolean sqlish = false;
    boolean value = false;
    boolean pureExpression = true;
    int balance = 0;
    for (int k = 0; k < firstComment; k++) {
      char c = t.type[idx[k]];
      switch (c) {
        case COMPARE: case LOGIC: case CLAUSE: case SELECT: case STATEMENT:
        case UNION: case FROM: case FUNCTION: case DANGEROUS: case SEMICOLON:
          sqlish = true;
          break;
        case VARIABLE:
          sqlish = true;
          value = true;
          break;
        case NUMBER: case STRING:
          value = true;
          break;
        case LPAREN:
          balance++;
          break;
        case RPAREN:
          balance--;
          if (balance < 0) {
            sqlish = true;
          }
          break;
        case OPERATOR: case KEYWORD:
          break;
        default:
          pureExpression = false;
          break;
      }
    }
    if (quote != 0) {
      for (int k = 1; k < firstComment; k++) {
        if (t.type[idx[k]] == WORD) {
          return null;
        }
      }
    }
    if (quote == 0 && pureExpression && value) {
      return hit(t, idx, 0, firstComment - 1, 70, "expression-comment");
    }
    return sqlish && value ? hit(t, idx, 0, firstComment - 1, 70, "comment-truncation") : null;
  }

  /** Whether the text of {@code token} is {@code word}, without copying it. */
  private static boolean is(SqlTokenizer t, String s, int token, String word) {
    return t.end[token] - t.start[token] == word.length() && s.startsWith(word, t.start[token]);
  }

  private static String text(SqlTokenizer t, String s, int token) {
    return s.substring(t.start[token], t.end[token]);
  }

  private static Hit hit(SqlTokenizer t, int[] idx, int from, int to, int score, String rule) {
    int a = idx[Math.max(0, from)];
    int b = idx[Math.max(from, to)];
    return new Hit(score, t.start[a], t.end[b], rule);
  }
}
