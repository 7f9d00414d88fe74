package io.gatehouse.model.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineDiffTest {
  @Test
  void separatesDistantChangesIntoTheirOwnHunks() {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 30; i++) {
      lines.add("line " + i);
    }
    String before = String.join("\n", lines);
    lines.set(1, "changed 2");
    lines.add(20, "inserted");
    String after = String.join("\n", lines);
    assertThat(LineDiff.unified(before, after, 1)).containsExactly(
        "@@ -1,3 +1,3 @@", " line 1", "-line 2", "+changed 2", " line 3",
        "@@ -20,2 +20,3 @@", " line 20", "+inserted", " line 21");
  }

  @Test
  void identicalTextsHaveNoHunk() {
    assertThat(LineDiff.unified("a\nb", "a\nb", 3)).isEmpty();
  }

  @Test
  void aWhollyDifferentTextIsRemovedAndAdded() {
    assertThat(LineDiff.unified("a\nb", "c", 3)).containsExactly("@@ -1,2 +1,1 @@", "-a", "-b", "+c");
  }
}
