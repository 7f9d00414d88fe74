package io.gatehouse.model;

import static io.gatehouse.model.internal.Lists.copy;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import java.util.List;

/**
 * A product bundles APIs that consumers subscribe to together.
 *
 * @param name unique product name
 * @param description free text shown to consumers (Markdown; the portal renders it sanitized)
 * @param terms terms of use a developer accepts when subscribing (Markdown), nullable
 * @param apis names of the APIs in the product
 * @param subscriptionRequired whether calls need a subscription key (default {@code true})
 * @param approvalRequired whether new subscriptions wait for an operator (default {@code false})
 * @param published whether the product is visible to consumers (default {@code true})
 * @param policies the product scope's policies (never {@code null})
 * @param tags labels that scope {@code apply --select-tag} (never {@code null}; empty when not given)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ProductDef(
    String name,
    String description,
    String terms,
    List<String> apis,
    Boolean subscriptionRequired,
    Boolean approvalRequired,
    Boolean published,
    @JsonInclude(value = Include.CUSTOM, valueFilter = PoliciesDef.OmitEmpty.class) PoliciesDef policies,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> tags) implements Tagged {
  public ProductDef {
    requireNonNull(name, "name");
    apis = copy(apis);
    subscriptionRequired = subscriptionRequired == null || subscriptionRequired;
    approvalRequired = approvalRequired != null && approvalRequired;
    published = published == null || published;
    policies = PoliciesDef.orEmpty(policies);
    tags = copy(tags);
  }

  /** A product without terms of use. */
  public ProductDef(String name, String description, List<String> apis, Boolean subscriptionRequired,
      Boolean approvalRequired, Boolean published, PoliciesDef policies, List<String> tags) {
    this(name, description, null, apis, subscriptionRequired, approvalRequired, published, policies, tags);
  }

  /** A product without tags (the form before tags existed). */
  public ProductDef(String name, String description, List<String> apis, Boolean subscriptionRequired,
      Boolean approvalRequired, Boolean published, PoliciesDef policies) {
    this(name, description, null, apis, subscriptionRequired, approvalRequired, published, policies, null);
  }

  /** A product without policies. */
  public ProductDef(String name, String description, List<String> apis, Boolean subscriptionRequired,
      Boolean approvalRequired, Boolean published) {
    this(name, description, null, apis, subscriptionRequired, approvalRequired, published, null, null);
  }
}
