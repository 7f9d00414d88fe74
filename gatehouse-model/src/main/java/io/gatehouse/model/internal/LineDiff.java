package io.gatehouse.model.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The unified diff of two texts, line by line ({@code @@ -a,n +b,m @@} hunks, lines prefixed with
 * a space, {@code -} or {@code +}), computed with Myers' algorithm on the lines between the common
 * head and tail; beyond a work bound the middle is shown as removed and added whole.
 */
public final class LineDiff {
  /** The most trace cells (edit distance times line count) spent before falling back. */
  private static final long MAX_TRACE_CELLS = 4_000_000;

  private LineDiff() {}

  private enum Kind { SAME, DELETE, INSERT }

  private record Edit(Kind kind, int a, int b) {}

  /** The unified diff of {@code before} and {@code after} with {@code context} lines around each change. */
  public static List<String> unified(String before, String after, int context) {
    List<String> a = Arrays.asList(before.split("\n", -1));
    List<String> b = Arrays.asList(after.split("\n", -1));
    return hunks(a, b, edits(a, b), context);
  }

  private static List<Edit> edits(List<String> a, List<String> b) {
    int head = 0;
    while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) {
      head++;
    }
    int tail = 0;
    while (tail < a.size() - head && tail < b.size() - head
        && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) {
      tail++;
    }
    List<Edit> out = new ArrayList<>();
    for (int i = 0; i < head; i++) {
      out.add(new Edit(Kind.SAME, i, i));
    }
    List<Edit> middle = myers(a.subList(head, a.size() - tail), b.subList(head, b.size() - tail));
    for (Edit e : middle) {
      out.add(new Edit(e.kind(), e.a() + head, e.b() + head));
    }
    for (int i = 0; i < tail; i++) {
      out.add(new Edit(Kind.SAME, a.size() - tail + i, b.size() - tail + i));
    }
    return out;
  }

  /** Myers' shortest edit script; everything removed then added when it would cost too much. */
  private static List<Edit> myers(List<String> a, List<String> b) {
    int n = a.size();
    int m = b.size();
    int max = n + m;
    int offset = max + 1;
    int[] v = new int[2 * max + 3];
    List<int[]> trace = new ArrayList<>();
    long cells = 0;
    for (int d = 0; d <= max; d++) {
      cells += v.length;
      if (cells > MAX_TRACE_CELLS) {
        return replaceAll(n, m);
      }
      trace.add(v.clone());
      for (int k = -d; k <= d; k += 2) {
        int x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
        int y = x - k;
        while (x < n && y < m && a.get(x).equals(b.get(y))) {
          x++;
          y++;
        }
        v[offset + k] = x;
        if (x >= n && y >= m) {
          return backtrack(trace, offset, n, m);
        }
      }
    }
    return replaceAll(n, m);
  }

  private static List<Edit> backtrack(List<int[]> trace, int offset, int n, int m) {
    List<Edit> reversed = new ArrayList<>();
    int x = n;
    int y = m;
    for (int d = trace.size() - 1; d > 0; d--) {
      int[] v = trace.get(d);
      int k = x - y;
      int prevK = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
      int prevX = v[offset + prevK];
      int prevY = prevX - prevK;
      while (x > prevX && y > prevY) {
        reversed.add(new Edit(Kind.SAME, --x, --y));
      }
      if (x == prevX) {
        reversed.add(new Edit(Kind.INSERT, x, --y));
      } else {
        reversed.add(new Edit(Kind.DELETE, --x, y));
      }
    }
    while (x > 0 && y > 0) {
      reversed.add(new Edit(Kind.SAME, --x, --y));
    }
    List<Edit> out = new ArrayList<>(reversed.size());
    for (int i = reversed.size() - 1; i >= 0; i--) {
      out.add(reversed.get(i));
    }
    return out;
  }

  private static List<Edit> replaceAll(int n, int m) {
    List<Edit> out = new ArrayList<>(n + m);
    for (int i = 0; i < n; i++) {
      out.add(new Edit(Kind.DELETE, i, 0));
    }
    for (int j = 0; j < m; j++) {
      out.add(new Edit(Kind.INSERT, n, j));
    }
    return out;
  }

  private static List<String> hunks(List<String> a, List<String> b, List<Edit> edits, int context) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < edits.size()) {
      if (edits.get(i).kind() == Kind.SAME) {
        i++;
        continue;
      }
      int start = Math.max(0, i - context);
      int end = i; // exclusive; extends while changes are closer than 2 * context
      int lastChange = i;
      while (end < edits.size()) {
        if (edits.get(end).kind() != Kind.SAME) {
          lastChange = end;
        } else if (end - lastChange > 2 * context) {
          break;
        }
        end++;
      }
      end = Math.min(edits.size(), lastChange + 1 + context);
      int aStart = -1;
      int bStart = -1;
      int aLen = 0;
      int bLen = 0;
      List<String> body = new ArrayList<>();
      for (int e = start; e < end; e++) {
        Edit edit = edits.get(e);
        switch (edit.kind()) {
          case SAME -> {
            aStart = aStart < 0 ? edit.a() : aStart;
            bStart = bStart < 0 ? edit.b() : bStart;
            aLen++;
            bLen++;
            body.add(" " + a.get(edit.a()));
          }
          case DELETE -> {
            aStart = aStart < 0 ? edit.a() : aStart;
            aLen++;
            body.add("-" + a.get(edit.a()));
          }
          case INSERT -> {
            bStart = bStart < 0 ? edit.b() : bStart;
            bLen++;
            body.add("+" + b.get(edit.b()));
          }
        }
      }
      Edit first = edits.get(start);
      int aFrom = aLen == 0 ? first.a() : aStart + 1;
      int bFrom = bLen == 0 ? first.b() : bStart + 1;
      out.add("@@ -" + aFrom + "," + aLen + " +" + bFrom + "," + bLen + " @@");
      out.addAll(body);
      i = end;
    }
    return out;
  }
}
