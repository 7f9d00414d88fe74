package io.gatehouse.insight.sensitive;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The sensitive values found in one text, in order of position, with a count per type. */
public record ScanResult(List<SensitiveMatch> matches) {
  public ScanResult {
    matches = List.copyOf(matches);
  }

  /** How many values of each type were found (types not found are absent). */
  public Map<SensitiveType, Integer> counts() {
    Map<SensitiveType, Integer> out = new EnumMap<>(SensitiveType.class);
    for (SensitiveMatch m : matches) {
      out.merge(m.type(), 1, Integer::sum);
    }
    return out;
  }

  /** The types found. */
  public Set<SensitiveType> types() {
    return counts().keySet();
  }

  /** Whether nothing was found. */
  public boolean isEmpty() {
    return matches.isEmpty();
  }
}
