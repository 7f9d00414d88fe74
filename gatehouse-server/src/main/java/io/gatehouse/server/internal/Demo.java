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
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code --demo} setup: a built-in mock backend on loopback, a demo API and product in front
 * of it, and a fresh subscription key, with the curl commands to try them.
 */
final class Demo {
  static final String API = "demo";
  static final String BACKEND = "demo-backend";
  static final String PRODUCT = "demo-product";
  static final String SUBSCRIPTION = "demo-subscription";

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
    HttpServer mock = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
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
    ServeCommand.await(mock.listen());
    String key = SubscriptionKeys.generate();
    GatewayConfig current = plane.config();
    ApiDef api = ApiDef.of(API, "/demo", BACKEND)
        .withOperations(List.of(OperationDef.parse("GET /hello"), OperationDef.parse("GET /orders/{id}")));
    GatewayConfig next = current
        .withBackends(upsert(current.backends(), BackendDef.of(BACKEND, "http://127.0.0.1:" + mock.actualPort()), BackendDef::name))
        .withApis(upsert(current.apis(), api, ApiDef::name))
        .withProducts(upsert(current.products(),
            new ProductDef(PRODUCT, "Demo product", List.of(API), true, false, true), ProductDef::name))
        .withSubscriptions(upsert(current.subscriptions(),
            new SubscriptionDef(SUBSCRIPTION, "product:" + PRODUCT, null, null, null, key, null, null, null),
            SubscriptionDef::name));
    plane.apply(next, "demo", "demo API and a fresh demo key");
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
