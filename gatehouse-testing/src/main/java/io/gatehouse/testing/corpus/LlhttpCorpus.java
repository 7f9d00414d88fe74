package io.gatehouse.testing.corpus;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads llhttp's request test cases ({@code llhttp-requests/*.md}) into raw request bytes plus what
 * llhttp made of them, decoding the input exactly as llhttp's {@code test/md-test.ts} does.
 *
 * <p>Each case is a {@code <!-- meta={...} -->} line followed by an {@code http} block (the raw
 * message: lines joined with CRLF, a trailing backslash joins lines without CRLF, and the escapes
 * {@code \r \n \t \f \xHH} and octal {@code \NNN} stand for those characters; the text is sent as
 * UTF-8, and {@code \\} is <em>not</em> an escape) and a {@code log} block of llhttp's callbacks.
 */
public final class LlhttpCorpus {
  private static final Pattern META = Pattern.compile("<!--\\s*meta=(\\{.*})\\s*-->");
  private static final Pattern META_TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern META_SKIP_BODY = Pattern.compile("\"skipBody\"\\s*:\\s*true");
  private static final Pattern META_PAUSE = Pattern.compile("\"pause\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern HEADING = Pattern.compile("^#+\\s+(.*)$");
  private static final Pattern ERROR = Pattern.compile("^off=(\\d+) error code=(\\d+) reason=\"(.*)\"$");
  private static final Pattern COMPLETE = Pattern.compile("^off=(\\d+) message complete$");
  private static final Pattern HEADERS_COMPLETE = Pattern.compile("^off=(\\d+) headers complete.*$");
  private static final Pattern SPAN = Pattern.compile("^off=(\\d+) len=(\\d+) span\\[([a-z_]+)]=.*$");

  private LlhttpCorpus() {}

  /** How a strict HTTP/1.1 server is expected to treat a case, derived from its type and log. */
  public enum Classification {
    /**
     * llhttp (strict mode, no leniency) completed every message it saw and reported no error, or
     * paused for CONNECT/Upgrade after completing them.
     */
    VALID,
    /**
     * As {@link #VALID}, but the input ends inside a message that llhttp was still waiting for
     * (empty lines after the last message do not count as a message).
     */
    VALID_INCOMPLETE,
    /** llhttp (strict mode) reported an error after {@code completedMessages} messages. */
    INVALID,
    /**
     * Produced with an llhttp leniency flag that affects message framing or syntax
     * ({@code request-lenient-*} other than {@code keep-alive}): expected to be rejected by a strict
     * server.
     */
    LENIENT,
    /** A response case or a type this reader does not judge. */
    SKIPPED
  }

  /** One llhttp request message as its log reports it, with every part taken from the raw bytes. */
  public record Message(
      byte[] method, byte[] url, List<Map.Entry<byte[], byte[]>> headers,
      List<Map.Entry<byte[], byte[]>> trailers, byte[] body, boolean hasSpans) {}

  /**
   * One case: its file and title, meta {@code type} (and {@code pause}, nullable; {@code skipBody}:
   * the harness told llhttp to skip bodies, as a client does after HEAD), raw input
   * bytes, the number of messages llhttp completed before any error, llhttp's error code and
   * reason (0 and null when none; pauses are not errors), whether llhttp paused for
   * CONNECT/Upgrade/PRI, and the log lines.
   */
  public record Case(
      String file, String title, String type, String pause, boolean skipBody, byte[] raw,
      int completedMessages,
      int errorCode, String errorReason, boolean pausedForUpgrade, int lastCompleteOffset,
      List<String> log, Classification classification) {

    public Case {
      requireNonNull(file, "file");
      requireNonNull(title, "title");
      requireNonNull(type, "type");
      requireNonNull(raw, "raw");
      log = List.copyOf(log);
      requireNonNull(classification, "classification");
    }

    /** A unique display name: {@code file.md: title}. */
    public String displayName() {
      return file + ": " + title;
    }

    /** The completed messages with their method, URL, fields and body, from the log's spans. */
    public List<Message> messages() {
      List<Message> out = new ArrayList<>();
      Builder current = new Builder();
      for (String line : log) {
        Matcher span = SPAN.matcher(line);
        if (span.matches()) {
          int off = Integer.parseInt(span.group(1));
          int len = Integer.parseInt(span.group(2));
          byte[] bytes = Arrays.copyOfRange(raw, off, off + len);
          current.span(span.group(3), bytes);
        } else if (HEADERS_COMPLETE.matcher(line).matches()) {
          current.headersDone = true;
        } else if (COMPLETE.matcher(line).matches()) {
          out.add(current.build());
          current = new Builder();
        } else if (ERROR.matcher(line).matches()) {
          break;
        }
      }
      return out;
    }
  }

  /**
   * Locates the corpus: {@code llhttp-requests} in the repository's {@code testdata} folder (the one
   * with {@code refresh.sh}) nearest above the working directory; throws when it is missing.
   */
  public static Path locate() {
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path root = dir.resolve("testdata");
      if (Files.isRegularFile(root.resolve("refresh.sh"))) {
        Path p = root.resolve("llhttp-requests");
        if (!Files.isDirectory(p)) {
          throw new IllegalStateException("llhttp-requests missing from " + root + ": run testdata/refresh.sh");
        }
        return p;
      }
    }
    throw new IllegalStateException("testdata/ not found above " + Paths.get("").toAbsolutePath());
  }

  /** Reads every case of every {@code *.md} file in {@code dir}, in file-name order. */
  public static List<Case> read(Path dir) {
    requireNonNull(dir, "dir");
    try (Stream<Path> files = Files.list(dir)) {
      List<Case> cases = new ArrayList<>();
      for (Path f : files.filter(p -> p.toString().endsWith(".md")).sorted().collect(Collectors.toList())) {
        cases.addAll(readFile(f));
      }
      return cases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads the cases of one file. */
  public static List<Case> readFile(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Case> cases = new ArrayList<>();
    String title = "";
    String fileName = file.getFileName().toString();
    for (int i = 0; i < lines.size(); i++) {
      Matcher h = HEADING.matcher(lines.get(i));
      if (h.matches()) {
        title = h.group(1).trim();
        continue;
      }
      Matcher m = META.matcher(lines.get(i).trim());
      if (!m.matches()) {
        continue;
      }
      String meta = m.group(1);
      Matcher t = META_TYPE.matcher(meta);
      if (!t.find()) {
        throw new IllegalArgumentException(fileName + ":" + (i + 1) + ": meta without type: " + meta);
      }
      String type = t.group(1);
      Matcher p = META_PAUSE.matcher(meta);
      String pause = p.find() ? p.group(1) : null;
      int httpStart = findFence(lines, i + 1, "```http", fileName);
      int httpEnd = findFence(lines, httpStart + 1, "```", fileName);
      int logStart = findFence(lines, httpEnd + 1, "```log", fileName);
      int logEnd = findFence(lines, logStart + 1, "```", fileName);
      byte[] raw = decodeInput(String.join("\n", lines.subList(httpStart + 1, httpEnd)) + "\n");
      List<String> log = lines.subList(logStart + 1, logEnd);
      boolean skipBody = META_SKIP_BODY.matcher(meta).find();
      cases.add(toCase(fileName, title, type, pause, skipBody, raw, log));
      i = logEnd;
    }
    return cases;
  }

  private static Case toCase(
      String file, String title, String type, String pause, boolean skipBody, byte[] raw,
      List<String> log) {
    int completed = 0;
    int errorCode = 0;
    String reason = null;
    boolean paused = false;
    int lastComplete = -1;
    for (String line : log) {
      Matcher c = COMPLETE.matcher(line);
      if (c.matches()) {
        completed++;
        lastComplete = Integer.parseInt(c.group(1));
        continue;
      }
      Matcher e = ERROR.matcher(line);
      if (e.matches()) {
        int code = Integer.parseInt(e.group(2));
        if (e.group(3).startsWith("Pause")) {
          // HPE_PAUSED (21), HPE_PAUSED_UPGRADE (22), HPE_PAUSED_H2_UPGRADE (23): not errors.
          paused = code != 21;
          continue;
        }
        errorCode = code;
        reason = e.group(3);
        break;
      }
    }
    Classification cls;
    if (type.startsWith("response")) {
      cls = Classification.SKIPPED;
    } else if (type.startsWith("request-lenient-") && !type.equals("request-lenient-keep-alive")) {
      cls = Classification.LENIENT;
    } else if (reason != null) {
      cls = Classification.INVALID;
    } else if (paused || onlyEmptyLines(raw, Math.max(lastComplete, 0))) {
      cls = Classification.VALID;
    } else {
      cls = Classification.VALID_INCOMPLETE;
    }
    return new Case(file, title, type, pause, skipBody, raw, completed, errorCode, reason, paused,
        lastComplete, log, cls);
  }

  private static boolean onlyEmptyLines(byte[] raw, int from) {
    if ((raw.length - from) % 2 != 0) {
      return false;
    }
    for (int k = from; k < raw.length; k += 2) {
      if (raw[k] != '\r' || raw[k + 1] != '\n') {
        return false;
      }
    }
    return true;
  }

  private static int findFence(List<String> lines, int from, String fence, String file) {
    for (int i = from; i < lines.size(); i++) {
      if (lines.get(i).trim().equals(fence)) {
        return i;
      }
    }
    throw new IllegalArgumentException(file + ": no " + fence + " after line " + from);
  }

  /** Decodes an http block's text into bytes the way llhttp's md-test harness does. */
  static byte[] decodeInput(String block) {
    String input = block.endsWith("\n") ? block.substring(0, block.length() - 1) : block;
    input = input.replaceAll("\\\\(\r\n|\r|\n)", "");
    input = input.replaceAll("\r\n|\r|\n", "\r\n");
    input = input.replace("\\r", "\r");
    input = input.replace("\\n", "\n");
    input = input.replace("\\t", "\t");
    input = input.replace("\\f", "\f");
    input = replaceAll(input, Pattern.compile("\\\\x([0-9a-fA-F]+)"), 16);
    input = replaceAll(input, Pattern.compile("\\\\([0-7]{1,3})"), 8);
    return input.getBytes(StandardCharsets.UTF_8);
  }

  private static String replaceAll(String input, Pattern p, int radix) {
    Matcher m = p.matcher(input);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      char ch = (char) Integer.parseInt(m.group(1), radix);
      m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf(ch)));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static final class Builder {
    private byte[] method;
    private byte[] url;
    private final List<Map.Entry<byte[], byte[]>> headers = new ArrayList<>();
    private final List<Map.Entry<byte[], byte[]>> trailers = new ArrayList<>();
    private byte[] body = new byte[0];
    private boolean headersDone;
    private boolean spans;
    private String lastKind = "";

    void span(String kind, byte[] bytes) {
      spans = true;
      List<Map.Entry<byte[], byte[]>> fields = headersDone ? trailers : headers;
      switch (kind) {
        case "method":
          method = concat(method, bytes);
          break;
        case "url":
          url = concat(url, bytes);
          break;
        case "header_field":
          if (lastKind.equals("header_field") && !fields.isEmpty()) {
            Map.Entry<byte[], byte[]> last = fields.remove(fields.size() - 1);
            fields.add(Map.entry(concat(last.getKey(), bytes), last.getValue()));
          } else {
            fields.add(Map.entry(bytes, new byte[0]));
          }
          break;
        case "header_value": {
          Map.Entry<byte[], byte[]> last = fields.remove(fields.size() - 1);
          fields.add(Map.entry(last.getKey(), concat(last.getValue(), bytes)));
          break;
        }
        case "body":
          body = concat(body, bytes);
          break;
        default:
          break; // protocol, version, chunk extensions: not part of what a server hands on
      }
      lastKind = kind;
    }

    Message build() {
      return new Message(method, url, List.copyOf(headers), List.copyOf(trailers), body, spans);
    }

    private static byte[] concat(byte[] a, byte[] b) {
      if (a == null) {
        return b;
      }
      byte[] r = Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, r, a.length, b.length);
      return r;
    }
  }
}
