package io.gatehouse.testing.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.corpus.LlhttpCorpus.Case;
import io.gatehouse.testing.corpus.LlhttpCorpus.Classification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LlhttpCorpusTest {
  private final Path dir = LlhttpCorpus.locate();

  @Test
  void readsOneCasePerMetaLine() throws IOException {
    long metaLines;
    try (Stream<Path> files = Files.list(dir)) {
      metaLines = files.filter(p -> p.toString().endsWith(".md"))
          .flatMap(p -> {
            try {
              return Files.readAllLines(p).stream();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .filter(l -> l.contains("<!-- meta="))
          .count();
    }
    List<Case> cases = LlhttpCorpus.read(dir);
    assertThat(cases).hasSize((int) metaLines);
    assertThat(metaLines).isGreaterThan(150);
  }

  @Test
  void decodedInputMatchesLlhttpOffsets() {
    for (Case c : LlhttpCorpus.read(dir)) {
      if (c.classification() == Classification.VALID && !c.pausedForUpgrade()) {
        assertThat(c.lastCompleteOffset()).as(c.displayName()).isLessThanOrEqualTo(c.raw().length);
      }
    }
  }

  @Test
  void decodesEscapesLikeLlhttp() {
    assertThat(LlhttpCorpus.decodeInput("a\\r\\n\\x41\\101\nb\\\nc\n"))
        .isEqualTo("a\r\nAA\r\nbc".getBytes(StandardCharsets.ISO_8859_1));
    // A backslash pair is not an escape in llhttp's harness, \xff is sent as UTF-8.
    assertThat(LlhttpCorpus.decodeInput("\\\\x \\xff\n"))
        .isEqualTo(("\\\\x " + "\u00ff").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void classifiesPausesAsNotErrors() {
    List<Case> cases = LlhttpCorpus.read(dir);
    Case upgrade = cases.stream().filter(c -> c.title().equals("Upgrade GET request")).findFirst().orElseThrow();
    assertThat(upgrade.classification()).isEqualTo(Classification.VALID);
    assertThat(upgrade.pausedForUpgrade()).isTrue();
    assertThat(upgrade.completedMessages()).isEqualTo(1);
    System.out.println("llhttp corpus: " + cases.stream()
        .collect(Collectors.groupingBy(Case::classification, Collectors.counting())));
  }
}
