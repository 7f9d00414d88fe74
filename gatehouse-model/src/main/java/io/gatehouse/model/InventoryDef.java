package io.gatehouse.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Inventory metadata of one API (who owns it, where it is in its life, who may reach it, what data
 * it carries); every field is optional and {@link ConfigValidator} checks the enumerated ones
 * against {@link #LIFECYCLES}, {@link #EXPOSURES} and {@link #CLASSIFICATIONS}.
 *
 * @param owner the owning team or person, nullable
 * @param contact how to reach the owner (e-mail, chat channel, URL), nullable
 * @param lifecycle one of {@link #LIFECYCLES}, nullable for unknown. The gateway answers
 *     {@code retired} APIs with 410 Gone and marks responses of {@code deprecated} APIs with a
 *     {@code Deprecation: true} header.
 * @param exposure {@code internal} or {@code external}, nullable for unknown
 * @param classification the most sensitive data the API handles, one of {@link #CLASSIFICATIONS},
 *     nullable for unknown
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"owner", "contact", "lifecycle", "exposure", "classification"})
public record InventoryDef(String owner, String contact, String lifecycle, String exposure, String classification) {
  /** Nothing known. */
  public static final InventoryDef EMPTY = new InventoryDef(null, null, null, null, null);

  /** The lifecycle stages, in order. */
  public static final List<String> LIFECYCLES =
      List.of("design", "development", "testing", "production", "deprecated", "retired");
  /** The exposures. */
  public static final List<String> EXPOSURES = List.of("internal", "external");
  /** The data classifications, least sensitive first. */
  public static final List<String> CLASSIFICATIONS = List.of("public", "internal", "confidential", "restricted");

  public InventoryDef {
    owner = blankToNull(owner);
    contact = blankToNull(contact);
    lifecycle = blankToNull(lifecycle);
    exposure = blankToNull(exposure);
    classification = blankToNull(classification);
  }

  /** Whether no field is set. */
  @JsonIgnore
  public boolean isEmpty() {
    return owner == null && contact == null && lifecycle == null && exposure == null && classification == null;
  }

  /** Whether the gateway should refuse traffic: lifecycle {@code retired}. */
  @JsonIgnore
  public boolean retired() {
    return "retired".equals(lifecycle);
  }

  /** Whether responses carry {@code Deprecation: true}: lifecycle {@code deprecated}. */
  @JsonIgnore
  public boolean deprecated() {
    return "deprecated".equals(lifecycle);
  }

  static InventoryDef orEmpty(InventoryDef inventory) {
    return inventory == null ? EMPTY : inventory;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** Jackson filter that omits empty inventory metadata when writing. */
  static final class OmitEmpty {
    @Override
    public boolean equals(Object other) {
      return other == null || (other instanceof InventoryDef i && i.isEmpty());
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }
}
