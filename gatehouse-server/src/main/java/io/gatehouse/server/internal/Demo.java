package io.gatehouse.server.internal;

import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.ManagementServer;
import io.gatehouse.gateway.Gateway;
import io.gatehouse.model.ApiDef;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.OperationDef;
import io.gatehouse.model.ProductDef;
import io.gatehouse.model.SubscriptionDef;
import io.gatehouse.model.SubscriptionKeys;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.gatehouse.model.storage.PrivateFiles;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code --demo} setup: a built-in mock backend on loopback, a demo API and product in front
 * of it, and a subscription key, with the curl commands to try them. A restart keeps the key (kept in
 * {@code DATA/demo-key}, mode 0600) and the mock's port when it is free, so it adds no revision.
 */
final class Demo {
  static final String API = "demo";
  static final String BACKEND = "demo-backend";
  static final String PRODUCT = "demo-product";
  static final String SUBSCRIPTION = "demo-subscription";

  /** The file in the data directory that keeps the demo key across restarts. */
  static final String KEY_FILE = "demo-key";

  /** Where the built-in mock backend listens: the demo's one loopback backend. */
  static final String MOCK_NETWORK = "127.0.0.1/32";

  private Demo() {}

  /**
   * {@code configured} plus the mock backend's loopback address, so that the demo works out of the
   * box; the gateway's and the management API's own listeners stay refused.
   */
  static List<String> allowedBackendNetworks(List<String> configured) {
    List<String> out = new ArrayList<>(configured);
    if (!out.contains(MOCK_NETWORK)) {
      out.add(MOCK_NETWORK);
    }
    return out;
  }

  static void install(Vertx vertx, ControlPlane plane, Gateway gateway, ManagementServer management,
      Path data, PrintStream out) throws Exception {
    GatewayConfig current = plane.config();
    HttpServer mock = listen(vertx, previousPort(current));
    Path keyFile = data.resolve(KEY_FILE);
    String key = Files.isRegularFile(keyFile) ? Files.readString(keyFile, StandardCharsets.UTF_8).strip() : "";
    boolean keep = !key.isEmpty() && current.subscriptions().stream().anyMatch(s -> s.name().equals(SUBSCRIPTION));
    List<SubscriptionDef> subscriptions = current.subscriptions();
    if (!keep) {
      key = SubscriptionKeys.generate();
      Files.writeString(PrivateFiles.file(keyFile), key + "\n", StandardCharsets.UTF_8);
      subscriptions = upsert(subscriptions,
          new SubscriptionDef(SUBSCRIPTION, "product:" + PRODUCT, null, null, null, key, null, null, null),
          SubscriptionDef::name);
    }
    ApiDef api = ApiDef.of(API, "/demo", BACKEND)
        .withOperations(List.of(OperationDef.parse("GET /hello"), OperationDef.parse("GET /orders/{id}")));
    GatewayConfig next = current
        .withBackends(upsert(current.backends(), BackendDef.of(BACKEND, "http://127.0.0.1:" + mock.actualPort()), BackendDef::name))
        .withApis(upsert(current.apis(), api, ApiDef::name))
        .withProducts(upsert(current.products(),
            new ProductDef(PRODUCT, "The demo API: `GET /hello` and `GET /orders/{id}`, answered by a built-in mock.",
                List.of(API), true, false, true), ProductDef::name))
        .withSubscriptions(subscriptions);
    plane.apply(next, "demo", keep ? "demo API" : "demo API and a fresh demo key"); // no revision when unchanged
    String base = "http://localhost:" + gateway.port();
    String mgmt = "http://127.0.0.1:" + management.actualPort();
    out.println();
    out.println("Demo API registered. Try:");
    out.println("  curl -i " + base + "/demo/hello                                  # 401: no key");
    out.println("  curl -i -H 'Subscription-Key: " + key + "' " + base + "/demo/hello");
    out.println("  curl -i -H 'Subscription-Key: " + key + "' " + base + "/demo/orders/42");
    out.println("  curl -s -H \"Authorization: Bearer $(cat " + data.resolve("admin-token") + ")\" " + mgmt + "/api/v1/apis");
    out.println();
  }

  /** Whether {@code config} holds the demo's backend, whose mock runs only with {@code --demo}. */
  static boolean configured(GatewayConfig config) {
    return config.backends().stream().anyMatch(b -> b.name().equals(BACKEND));
  }

  /** The loopback port the demo backend of {@code config} names, or 0. */
  private static int previousPort(GatewayConfig config) {
    return config.backends().stream().filter(b -> b.name().equals(BACKEND)).findFirst()
        .map(b -> {
          try {
            return java.net.URI.create(b.url()).getPort();
          } catch (IllegalArgumentException e) {
            return 0;
          }
        }).filter(p -> p > 0).orElse(0);
  }

  /** The mock backend on {@code port} when it is free (so the configuration stays the same), else on any free port. */
  private static HttpServer listen(Vertx vertx, int port) throws Exception {
    if (port > 0) {
      try {
        return ServeCommand.await(mock(vertx, port).listen());
      } catch (java.util.concurrent.ExecutionException e) {
        // taken meanwhile: a new port, and a new revision naming it
      }
    }
    return ServeCommand.await(mock(vertx, 0).listen());
  }

  private static HttpServer mock(Vertx vertx, int port) {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
        .requestHandler(req -> {
          String path = req.path();
          if (path.equals("/hello")) {
            req.response().putHeader("Content-Type", "application/json")
                .end("{\"message\":\"Hello from the Gatehouse demo backend\"}\n");
          } else if (path.startsWith("/orders/")) {
            String id = path.substring("/orders/".length());
            req.response().putHeader("Content-Type", "application/json")
                .end("{\"id\":\"" + id.replaceAll("[^A-Za-z0-9-]", "") + "\",\"status\":\"shipped\"}\n");
          } else {
            req.response().setStatusCode(404).end();
          }
        });
  }

  private static <T> List<T> upsert(List<T> items, T item, Function<T, String> name) {
    List<T> out = new ArrayList<>();
    String wanted = name.apply(item);
    for (T existing : items) {
      if (!name.apply(existing).equals(wanted)) {
        out.add(existing);
      }
    }
    out.add(item);
    return out;
  }
}
