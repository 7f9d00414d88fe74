package io.gatehouse.model;

import static io.gatehouse.model.internal.Lists.copy;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Set;

/**
 * A named value, referenced from configuration as {@code ${nv:NAME}} and substituted when a
 * snapshot is compiled.
 *
 * <p>Three types: {@code plain} (the default) carries {@code value}; {@code secret} carries
 * {@code value} in memory only (the control plane encrypts it at rest) or, on the way in from a
 * file or API call, {@code sealed} (the value encrypted to the instance's sealing key);
 * {@code reference} carries {@code ref} ({@code env:NAME}, {@code file:PATH} or
 * {@code vault:MOUNT/PATH#FIELD}), resolved at runtime by the server.
 *
 * @param name unique name
 * @param type {@code plain}, {@code secret} or {@code reference}; {@code null} means plain
 * @param value the value (plain and secret)
 * @param ref where a reference's value comes from
 * @param sealed a secret value sealed to the instance's public key ({@code v1:...})
 * @param tags labels that scope {@code apply --select-tag} (never {@code null}; empty when not given)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "type", "value", "ref", "sealed"})
public record NamedValueDef(
    String name,
    @JsonInclude(value = Include.CUSTOM, valueFilter = NamedValueDef.OmitPlain.class) String type,
    String value,
    String ref,
    String sealed,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> tags) implements Tagged {
  /** The default type. */
  public static final String PLAIN = "plain";
  /** A value that is encrypted at rest and never shown. */
  public static final String SECRET = "secret";
  /** A value read at runtime from the environment, a file or Vault. */
  public static final String REFERENCE = "reference";
  /** Every type. */
  public static final Set<String> TYPES = Set.of(PLAIN, SECRET, REFERENCE);

  public NamedValueDef {
    requireNonNull(name, "name");
    type = type == null ? PLAIN : type;
    tags = copy(tags);
  }

  /** A named value without tags (the form before tags existed). */
  public NamedValueDef(String name, String type, String value, String ref, String sealed) {
    this(name, type, value, ref, sealed, null);
  }

  /** A plain named value. */
  public NamedValueDef(String name, String value) {
    this(name, PLAIN, requireNonNull(value, "value"), null, null);
  }

  /** A secret named value holding {@code value}. */
  public static NamedValueDef secret(String name, String value) {
    return new NamedValueDef(name, SECRET, requireNonNull(value, "value"), null, null);
  }

  /** A reference named value reading {@code ref}. */
  public static NamedValueDef reference(String name, String ref) {
    return new NamedValueDef(name, REFERENCE, null, requireNonNull(ref, "ref"), null);
  }

  /** Whether this value must never be shown, logged or stored in plain text. */
  @JsonIgnore
  public boolean isSecret() {
    return SECRET.equals(type);
  }

  /** Whether this value is read at runtime from {@link #ref()}. */
  @JsonIgnore
  public boolean isReference() {
    return REFERENCE.equals(type);
  }

  /** Returns a copy holding {@code value} and no sealed form. */
  public NamedValueDef withValue(String value) {
    return new NamedValueDef(name, type, value, ref, null, tags);
  }

  /** Returns a copy holding only the sealed form {@code sealed} (for export). */
  public NamedValueDef withSealed(String sealed) {
    return new NamedValueDef(name, type, null, ref, sealed, tags);
  }

  @Override
  public String toString() {
    return "NamedValueDef[name=" + name + ", type=" + type
        + (isSecret() ? ", value=<redacted>" : ", value=" + value) + ", ref=" + ref + ", tags=" + tags + "]";
  }

  /** Jackson filter: the default type is not written. */
  static final class OmitPlain {
    @Override
    public boolean equals(Object other) {
      return other == null || PLAIN.equals(other);
    }

    @Override
    public int hashCode() {
      return 0;
    }
  }
}
