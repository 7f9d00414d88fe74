package io.gatehouse.control.cluster.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.cluster.ClusterControl;
import io.gatehouse.control.cluster.NodeInfo;
import io.gatehouse.control.cluster.NodeReport;
import io.gatehouse.model.ConfigMapper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's listener for gateway nodes (HTTPS, its certificate issued by the node CA):
 * <ul>
 *   <li>{@code POST /node/v1/enrol}: a single-use token and a certification request in, a client
 *       certificate, the CA certificate and the snapshot verification key out;</li>
 *   <li>{@code GET /node/v1/snapshot?etag=E&wait=S}: the signed snapshot, at once when the node's
 *       etag differs from the current one, else when the next one is published, else 204 after
 *       {@code wait} seconds (long poll);</li>
 *   <li>{@code POST /node/v1/heartbeat}: the revision served, version, address and backend status;</li>
 *   <li>{@code POST /node/v1/report}: the node's analytics and served requests ({@link ReportCodec}),
 *       attributed to the node its client certificate names.</li>
 * </ul>
 * The last three need a client certificate of the node CA whose node is enrolled and not revoked
 * (403 otherwise). Handlers that touch the database run on worker threads.
 */
public final class NodeListener {
  private static final Logger LOG = LoggerFactory.getLogger(NodeListener.class);
  /** How long a client certificate is valid. */
  public static final Duration CLIENT_CERT_VALIDITY = Duration.ofDays(365);
  /** The largest report body. */
  public static final int MAX_REPORT_BYTES = 16 * 1024 * 1024;
  /** The longest long poll, in seconds. */
  public static final int MAX_WAIT_SECONDS = 60;

  private final Vertx vertx;
  private final ClusterKeys keys;
  private final NodeStore store;
  private final Supplier<ClusterControl.Published> current;
  private final Consumer<Consumer<ClusterControl.Published>> subscribe;
  private final Consumer<Consumer<ClusterControl.Published>> unsubscribe;
  private final Clock clock;
  private final Supplier<NodeReport.Sink> reports;

  private NodeListener(Vertx vertx, ClusterKeys keys, NodeStore store, Supplier<ClusterControl.Published> current,
      Consumer<Consumer<ClusterControl.Published>> subscribe, Consumer<Consumer<ClusterControl.Published>> unsubscribe,
      Clock clock, Supplier<NodeReport.Sink> reports) {
    this.reports = reports;
    this.vertx = vertx;
    this.keys = keys;
    this.store = store;
    this.current = current;
    this.subscribe = subscribe;
    this.unsubscribe = unsubscribe;
    this.clock = clock;
  }

  /** Starts the listener; its certificate (new at each start) names {@code names} and localhost. */
  public static Future<HttpServer> start(Vertx vertx, String host, int port, List<String> names, ClusterKeys keys,
      NodeStore store, Supplier<ClusterControl.Published> current, Consumer<Consumer<ClusterControl.Published>> subscribe,
      Consumer<Consumer<ClusterControl.Published>> unsubscribe, Clock clock, Supplier<NodeReport.Sink> reports) {
    NodeListener l = new NodeListener(vertx, keys, store, current, subscribe, unsubscribe, clock, reports);
    KeyPair pair = Pki.ecKeyPair();
    List<String> sans = new java.util.ArrayList<>(names);
    for (String n : List.of("localhost", "127.0.0.1", "::1")) {
      if (!sans.contains(n)) {
        sans.add(n);
      }
    }
    X509Certificate cert = Pki.issue(keys.ca(), keys.caKey(), "Gatehouse control plane", pair.getPublic(),
        Duration.ofDays(365), false, sans);
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port).setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions()
            .addKeyValue(Buffer.buffer(Pki.pem(pair.getPrivate())))
            .addCertValue(Buffer.buffer(Pki.pem(cert) + Pki.pem(keys.ca()))))
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Pki.pem(keys.ca()))))
        .setClientAuth(ClientAuth.REQUEST)
        .setIdleTimeout(MAX_WAIT_SECONDS + 30)
        .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
    Router r = Router.router(vertx);
    r.post("/node/v1/report").handler(BodyHandler.create(false).setBodyLimit(MAX_REPORT_BYTES)).handler(l::report);
    r.route().handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    r.post("/node/v1/enrol").handler(l::enrol);
    r.get("/node/v1/snapshot").handler(l::snapshot);
    r.post("/node/v1/heartbeat").handler(l::heartbeat);
    r.route().last().handler(ctx -> problem(ctx, 404, "no route " + ctx.request().path()));
    return vertx.createHttpServer(options).requestHandler(r).listen();
  }

  private void enrol(RoutingContext ctx) {
    JsonNode body;
    try {
      body = ConfigMapper.json().readTree(ctx.body().asString());
    } catch (Exception e) {
      problem(ctx, 400, "expected a JSON object {token, csr, address, version}");
      return;
    }
    if (body == null || !body.path("token").isTextual() || !body.path("csr").isTextual()) {
      problem(ctx, 400, "expected a JSON object {token, csr, address, version}");
      return;
    }
    String token = body.get("token").asText();
    String address = text(body, "address", 300);
    String version = text(body, "version", 100);
    vertx.executeBlocking(() -> {
      String hash;
      try {
        hash = ClusterControl.tokenHash(token);
      } catch (IllegalArgumentException e) {
        return new int[] {401};
      }
      PublicKey key;
      try {
        key = Pki.verifiedRequestKey(body.get("csr").asText());
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
      String id = "gw-" + HexFormat.of().formatHex(random(6));
      X509Certificate cert = Pki.issue(keys.ca(), keys.caKey(), id, key, CLIENT_CERT_VALIDITY, true, List.of());
      Instant now = clock.instant();
      NodeStore.TokenState state = store.enrol(hash, now,
          new NodeInfo(id, "gateway", address, 0, version, now, null, null), Pki.serial(cert));
      if (state != NodeStore.TokenState.CONSUMED) {
        LOG.warn("enrolment refused from {}: token {}", ctx.request().remoteAddress(), state.name().toLowerCase());
        return state;
      }
      LOG.info("node {} enrolled from {} (address {})", id, ctx.request().remoteAddress(), address);
      ObjectNode out = ConfigMapper.json().createObjectNode();
      out.put("nodeId", id);
      out.put("certificate", Pki.pem(cert));
      out.put("caCertificate", Pki.pem(keys.ca()));
      out.put("snapshotKey", Base64.getEncoder().encodeToString(keys.signingPublic().getEncoded()));
      return out;
    }, false).onComplete(ar -> {
      if (ar.failed()) {
        LOG.error("enrolment failed", ar.cause());
        problem(ctx, 500, "enrolment failed; see the control plane's log");
      } else if (ar.result() instanceof ObjectNode out) {
        ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(out.toString());
      } else if (ar.result() instanceof String bad) {
        problem(ctx, 400, bad);
      } else if (ar.result() instanceof NodeStore.TokenState s) {
        problem(ctx, 401, switch (s) {
          case USED -> "the enrolment token was already used; create a new one";
          case EXPIRED -> "the enrolment token expired; create a new one";
          default -> "unknown enrolment token";
        });
      } else {
        problem(ctx, 401, "malformed enrolment token");
      }
    });
  }

  private static String text(JsonNode body, String field, int max) {
    String v = body.path(field).asText("");
    return v.length() > max ? v.substring(0, max) : v;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new java.security.SecureRandom().nextBytes(b);
    return b;
  }

  /** The node id of the request's client certificate, once the registry admits it; else answers 403 and null. */
  private void admitted(RoutingContext ctx, Consumer<String> then) {
    X509Certificate cert = clientCertificate(ctx);
    if (cert == null) {
      problem(ctx, 403, "a node client certificate is required; enrol first");
      return;
    }
    checked(ctx, cert, then);
  }

  /** Checks {@code cert}'s node against the registry (again: a long poll may outlive a revocation), then runs {@code then}. */
  private void checked(RoutingContext ctx, X509Certificate cert, Consumer<String> then) {
    String id = Pki.commonName(cert);
    String serial = Pki.serial(cert);
    vertx.executeBlocking(() -> store.admits(id, serial), false).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("node check failed: {}", ar.cause().toString());
        ctx.response().putHeader("Retry-After", "5");
        problem(ctx, 503, "the control plane's database is unavailable");
      } else if (!ar.result()) {
        problem(ctx, 403, "node " + id + " is revoked or unknown; enrol it again with a new token");
      } else {
        then.accept(id);
      }
    });
  }

  private static X509Certificate clientCertificate(RoutingContext ctx) {
    SSLSession session = ctx.request().sslSession();
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  private void snapshot(RoutingContext ctx) {
    String etag = ctx.request().getParam("etag", "");
    int wait;
    try {
      wait = Integer.parseInt(ctx.request().getParam("wait", "0"));
    } catch (NumberFormatException e) {
      wait = -1;
    }
    if (wait < 0 || wait > MAX_WAIT_SECONDS) {
      problem(ctx, 400, "wait: expected 0 to " + MAX_WAIT_SECONDS + " seconds but got '"
          + ctx.request().getParam("wait") + "'");
      return;
    }
    int seconds = wait;
    admitted(ctx, id -> {
      ClusterControl.Published now = current.get();
      if (!now.etag().equals(etag) || seconds == 0) {
        send(ctx, now);
        return;
      }
      Context context = vertx.getOrCreateContext();
      AtomicBoolean done = new AtomicBoolean();
      Consumer<ClusterControl.Published>[] self = new Consumer[1];
      long timer = vertx.setTimer(seconds * 1000L, t -> {
        if (done.compareAndSet(false, true)) {
          unsubscribe.accept(self[0]);
          ctx.response().setStatusCode(204).end();
        }
      });
      self[0] = p -> {
        if (!p.etag().equals(etag) && done.compareAndSet(false, true)) {
          vertx.cancelTimer(timer);
          context.runOnContext(v -> checked(ctx, clientCertificate(ctx), node -> send(ctx, p)));
          unsubscribe.accept(self[0]);
        }
      };
      ctx.request().connection().closeHandler(v -> {
        if (done.compareAndSet(false, true)) {
          vertx.cancelTimer(timer);
          unsubscribe.accept(self[0]);
        }
      });
      subscribe.accept(self[0]);
      self[0].accept(current.get()); // published between the check above and the subscription
    });
  }

  private static void send(RoutingContext ctx, ClusterControl.Published p) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response().putHeader("Content-Type", "application/json").putHeader("ETag", "\"" + p.etag() + "\"")
        .putHeader("Gatehouse-Revision", Long.toString(p.revision())).end(Buffer.buffer(p.envelope()));
  }

  private void heartbeat(RoutingContext ctx) {
    admitted(ctx, id -> {
      JsonNode body;
      try {
        body = ConfigMapper.json().readTree(ctx.body().asString());
      } catch (Exception e) {
        body = null;
      }
      if (body == null || !body.path("revision").canConvertToLong()) {
        problem(ctx, 400, "expected a JSON object {revision, version, address}");
        return;
      }
      long revision = body.get("revision").asLong();
      String version = text(body, "version", 100);
      String address = text(body, "address", 300);
      // the backend status as the node reported it: a JSON array, stored as received (the body is at most 64 KiB)
      String backends = body.path("backends").isArray() ? body.get("backends").toString() : null;
      vertx.executeBlocking(() -> store.heartbeat(id, address, version, revision, clock.instant(), backends), false)
          .onComplete(ar -> {
            if (ar.failed()) {
              ctx.response().putHeader("Retry-After", "5");
              problem(ctx, 503, "the control plane's database is unavailable");
            } else {
              ctx.response().setStatusCode(204).end();
            }
          });
    });
  }

  private void report(RoutingContext ctx) {
    admitted(ctx, id -> {
      NodeReport.Sink sink = reports.get();
      if (sink == null) {
        ctx.response().putHeader("Retry-After", "5");
        problem(ctx, 503, "the control plane does not take reports yet");
        return;
      }
      byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
      vertx.executeBlocking(() -> {
        NodeReport report;
        try {
          report = ReportCodec.read(body);
        } catch (IllegalArgumentException e) {
          return e.getMessage();
        }
        sink.accept(id, report); // the node is the certificate's, whatever the body says
        return null;
      }, false).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("report of node {} not taken: {}", id, ar.cause().toString());
          ctx.response().putHeader("Retry-After", "5");
          problem(ctx, 503, "the report cannot be stored now; send it again later");
        } else if (ar.result() != null) {
          problem(ctx, 400, ar.result());
        } else {
          ctx.response().setStatusCode(204).end();
        }
      });
    });
  }

  private static void problem(RoutingContext ctx, int status, String detail) {
    if (ctx.response().ended()) {
      return;
    }
    ObjectNode p = ConfigMapper.json().createObjectNode();
    p.put("type", "about:blank");
    p.put("status", status);
    p.put("title", io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase());
    p.put("detail", detail);
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json").end(p.toString());
  }
}
