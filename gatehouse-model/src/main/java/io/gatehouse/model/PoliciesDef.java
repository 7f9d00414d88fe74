package io.gatehouse.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The policies of one scope (global, product, API or operation), by pipeline section; each entry
 * is a single-key map {@code {policy-name: {config}}} or the literal string {@code base}, which
 * marks where the enclosing scope's policies of the same section run.
 *
 * <p>Policy configuration stays as parsed (maps, lists, strings, numbers, booleans) so that a
 * {@code io.gatehouse.policy.PolicyFactory} receives it unchanged; the gateway checks it when the
 * configuration is applied.
 *
 * @param inbound policies run on the request before it is forwarded
 * @param backend policies run around the call to the backend
 * @param outbound policies run on the backend's response
 * @param onError policies run when a policy or the backend fails (YAML key {@code on-error})
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"inbound", "backend", "outbound", "on-error"})
public record PoliciesDef(
    List<Object> inbound,
    List<Object> backend,
    List<Object> outbound,
    @JsonProperty("on-error") List<Object> onError) {

  /** No policies in any section. */
  public static final PoliciesDef EMPTY = new PoliciesDef(null, null, null, null);

  /** The literal entry that stands for the enclosing scope's policies. */
  public static final String BASE = "base";

  public PoliciesDef {
    inbound = copy(inbound);
    backend = copy(backend);
    outbound = copy(outbound);
    onError = copy(onError);
  }

  /** Whether no section has an entry. */
  @JsonIgnore
  public boolean isEmpty() {
    return inbound.isEmpty() && backend.isEmpty() && outbound.isEmpty() && onError.isEmpty();
  }

  /** {@code policies} or {@link #EMPTY} when it is {@code null}. */
  static PoliciesDef orEmpty(PoliciesDef policies) {
    return policies == null ? EMPTY : policies;
  }

  private static List<Object> copy(List<Object> list) {
    // Entries may hold nulls (for example "cors:" with no configuration), so no List.copyOf.
    return list == null || list.isEmpty() ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
  }

  /** Jackson filter that omits empty policies when writing. */
  static final class OmitEmpty {
    @Override
    public boolean equals(Object other) {
      return other == null || (other instanceof PoliciesDef p && p.isEmpty());
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }
}
