package io.gatehouse.model.apim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gatehouse.model.ConfigMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts an Azure API Management policy document ({@code <policies>} with {@code inbound},
 * {@code backend}, {@code outbound} and {@code on-error}) into Gatehouse policy entries, mapping
 * each element to the Gatehouse policy of the same purpose and reporting, with its line, every
 * element, attribute or C# policy expression it cannot convert.
 *
 * <p>Simple expressions ({@code @(context.Request.IpAddress)}, header and variable lookups,
 * comparisons) become CEL; {@code {{name}}} named values become {@code ${nv:name}}. APIM's
 * not-well-formed expressions (raw {@code <}, {@code >}, {@code &}, and the attribute's own quotes
 * inside an {@code @(...)} attribute value) are accepted. DTDs and external entities are refused.
 */
public final class ApimPolicyImport {

  /** Something left out of the conversion, at {@code line} of the source document. */
  public record Finding(int line, String element, String message) {
    @Override
    public String toString() {
      return "line " + line + ": <" + element + "> " + message;
    }
  }

  /**
   * The converted policies ({@code inbound}, {@code backend}, {@code outbound}, {@code on-error},
   * each a list of entries as the configuration reads them) and what could not be converted.
   */
  public record Result(Map<String, Object> policies, List<Finding> unconverted) {
    /** The policies as YAML, to place under a scope's {@code policies:}. */
    public String yaml() {
      try {
        return ConfigMapper.yaml().writeValueAsString(policies);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Thrown when the document is not well-formed XML or not a {@code <policies>} document. */
  public static final class ImportException extends Exception {
    private static final long serialVersionUID = 1L;

    public ImportException(String message) {
      super(message);
    }
  }

  /** The APIM policy elements the importer converts (each possibly with reported omissions). */
  private static final Set<String> SUPPORTED = Set.of(
      "base", "set-header", "set-query-parameter", "rewrite-uri", "set-method", "set-status", "set-body",
      "return-response", "mock-response", "rate-limit", "rate-limit-by-key", "quota", "quota-by-key",
      "limit-concurrency", "ip-filter", "cors", "check-header", "validate-jwt", "validate-client-certificate",
      "validate-content", "validate-parameters", "validate-headers", "validate-status-code", "choose",
      "set-variable", "find-and-replace", "forward-request", "retry", "set-backend-service", "send-request",
      "cache-lookup", "cache-store", "cache-lookup-value", "cache-store-value", "cache-remove-value",
      "json-to-xml", "xml-to-json", "trace", "emit-metric");

  private ApimPolicyImport() {}

  /** The names of the APIM policy elements that are converted; any other element is reported. */
  public static Set<String> supportedElements() {
    return SUPPORTED;
  }

  /** Converts the policy document {@code xml}. */
  public static Result convert(String xml) throws ImportException {
    requireNonNull(xml, "xml");
    ApimXml.Node root = ApimXml.parse(xml);
    if (!root.name().equals("policies")) {
      throw new ImportException("line " + root.line() + ": expected <policies> as the root element but got <"
          + root.name() + ">");
    }
    Converter cv = new Converter();
    Map<String, Object> out = new LinkedHashMap<>();
    for (ApimXml.Node section : root.children()) {
      switch (section.name()) {
        case "inbound":
        case "backend":
        case "outbound":
        case "on-error":
          break;
        default:
          cv.report(section, "is not a policy section (expected inbound, backend, outbound or on-error)");
          continue;
      }
      if (out.containsKey(section.name())) {
        cv.report(section, "repeats a section; only the first <" + section.name() + "> is converted");
        continue;
      }
      List<Object> entries = cv.section(section.name(), section.children());
      if (!entries.isEmpty()) {
        out.put(section.name(), entries);
      }
    }
    return new Result(out, List.copyOf(cv.findings));
  }
}
