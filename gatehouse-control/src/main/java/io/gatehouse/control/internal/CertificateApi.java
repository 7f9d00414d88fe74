package io.gatehouse.control.internal;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PUT;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.certificates.CertificateInfo;
import io.gatehouse.control.certificates.CertificateStore;
import io.gatehouse.control.certificates.CertificateUpload;
import io.gatehouse.control.certificates.CertificateUsage;
import io.gatehouse.control.certificates.InvalidCertificateException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The certificate routes of management API v1: upload (PEM or PKCS#12) and replace, list and get
 * metadata (never key material), delete. Uploads are applied to the gateway by the store's change
 * listeners, without a restart.
 */
public final class CertificateApi {
  /** The OpenAPI tag and audit entity prefix of these routes. */
  public static final String TAG = "certificates";

  private static final Set<String> FIELDS = Set.of("usage", "certificate", "privateKey", "pkcs12", "password");

  private final CertificateStore store;
  private final ControlPlane plane;

  /** Routes over {@code store}; deletions and usage changes are checked against {@code plane}'s configuration. */
  public CertificateApi(CertificateStore store, ControlPlane plane) {
    this.store = store;
    this.plane = plane;
  }

  /** The endpoints, for the router and the OpenAPI document. */
  public List<Endpoint> endpoints() {
    String base = ManagementApi.PREFIX + "/certificates";
    return List.of(
        new Endpoint(GET, base, TAG, "List uploaded certificates: metadata only, with expiresInDays and expiringSoon",
            Endpoint.Body.NONE, 200, List.of(), c -> false, this::list, "certificates:read"),
        new Endpoint(GET, base + "/:name", TAG, "One uploaded certificate's metadata (never its key)",
            Endpoint.Body.NONE, 200, List.of(), c -> false, this::get, "certificates:read"),
        new Endpoint(PUT, base + "/:name", TAG,
            "Upload or replace a certificate: {usage: server|client|ca, certificate, privateKey[, password]} as PEM,"
                + " or {usage, pkcs12 (Base64), password}; served without restart",
            Endpoint.Body.JSON, 200, List.of(), c -> false, this::put, "certificates:write"),
        new Endpoint(DELETE, base + "/:name", TAG, "Delete a certificate no backend refers to",
            Endpoint.Body.NONE, 204, List.of(), c -> false, this::delete, "certificates:write"));
  }

  /** What the audit log records of certificate {@code name}: its metadata, or {@code null} when absent. */
  public Object state(String name) {
    if (name == null || !CertificateStore.NAME.matcher(name).matches()) {
      return null;
    }
    return store.get(name).map(i -> i.view(store.clock().instant())).orElse(null);
  }

  private Reply list(Call c) {
    Instant now = store.clock().instant();
    List<Map<String, Object>> items = store.list().stream().map(i -> i.view(now)).toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", items);
    out.put("expiringSoon", store.list().stream().filter(i -> i.expiringSoon(now)).map(CertificateInfo::name).toList());
    return Reply.json(200, out);
  }

  private Reply get(Call c) {
    String name = c.path("name");
    return Reply.json(200, store.get(name).orElseThrow(() -> new ApiException(404, "no certificate '" + name + "'"))
        .view(store.clock().instant()));
  }

  private Reply put(Call c) {
    String name = c.path("name");
    JsonNode body = JsonBody.object(c.body(), FIELDS, false); // the parser's excerpt could quote key material
    for (String f : FIELDS) {
      if (body.has(f) && !body.get(f).isTextual()) {
        throw ApiException.badField(f, "expected a string");
      }
    }
    CertificateUpload upload = new CertificateUpload(text(body, "usage"), text(body, "certificate"),
        text(body, "privateKey"), text(body, "pkcs12"), text(body, "password"));
    try {
      CertificateStore.checkName(name);
      if (upload.usage() != null) {
        CertificateUsage usage = CertificateUsage.parse(upload.usage());
        List<String> users = CertificateStore.referencesTo(plane.config(), name);
        if (!users.isEmpty() && store.get(name).map(i -> i.usage() != usage).orElse(false)) {
          throw new ApiException(409, "certificate '" + name + "' is used by backends " + users
              + " with its current usage; it cannot become '" + usage.apiName() + "'");
        }
      }
      return Reply.json(200, store.put(name, upload, c.principal()).view(store.clock().instant()));
    } catch (InvalidCertificateException e) {
      throw ApiException.badField(e.field(), e.getMessage());
    }
  }

  private Reply delete(Call c) {
    String name = c.path("name");
    List<String> users = CertificateStore.referencesTo(plane.config(), name);
    if (!users.isEmpty()) {
      throw new ApiException(409, "certificate '" + name + "' is used by backends " + users
          + "; change their tls settings first");
    }
    if (!store.delete(name)) {
      throw new ApiException(404, "no certificate '" + name + "'");
    }
    return Reply.empty(204);
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
