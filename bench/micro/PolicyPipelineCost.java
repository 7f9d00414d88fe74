import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.model.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Process CPU per request through the in-process gateway (client and backend in the same JVM, on
 * another Vert.x instance, so compare the modes with each other, not with nginx): an API without
 * policies, an API with six policies (set-header at three scopes, a choose whose condition skips a
 * branch, a rate limit that never refuses, an outbound set-header), and the same API with every
 * request carrying a debug token. Run with bench/micro.sh.
 */
public class PolicyPipelineCost {
  static final String CONFIG = """
      policies:
        inbound:
          - set-header: {name: X-Global, value: g}
      backends:
        - name: b
          url: ${env:BACKEND}
      apis:
        - name: plain
          path: /plain
          backend: b
          subscriptionRequired: false
        - name: policies
          path: /policies
          backend: b
          subscriptionRequired: false
          policies:
            inbound:
              - base
              - set-header: {name: X-Api, value: a}
              - choose:
                  when:
                    - condition: "'x-gold' in request.headers"
                      policies:
                        - set-header: {name: X-Lane, value: fast}
                  otherwise:
                    - rate-limit: {calls: 2000000000, period: 1m}
            outbound:
              - set-header: {name: X-Out, value: o}
      """;

  public static void main(String[] args) throws Exception {
    int n = Integer.getInteger("requests", 40_000);
    Vertx side = Vertx.vertx();
    Vertx gwVertx = Vertx.vertx();
    int backendPort = side.createHttpServer().requestHandler(r -> r.response().end("0123456789012345678901234567890123456"))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    Gateway gw = Gateway.start(gwVertx, GatewayOptions.plain("127.0.0.1", 0).withAllowedBackendNetworks(java.util.List.of("127.0.0.1/32"))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    gw.apply(ConfigLoader.withEnvironment(Map.of("BACKEND", "http://127.0.0.1:" + backendPort))
        .parse(CONFIG, "bench.yaml", null), 1);
    HttpClient client = side.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(50));
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int round = 0; round < 4; round++) {
      boolean report = round > 0;
      run("plain", client, gw.port(), "/plain/x", null, n, os, report);
      run("six policies", client, gw.port(), "/policies/x", null, n, os, report);
    }
    String token = gw.debugSessions().open("policies", Duration.ofMinutes(30)).token();
    for (int round = 0; round < 3; round++) {
      run("six policies, debug session open, request without token", client, gw.port(), "/policies/x", null, n, os, round > 0);
      run("six policies, every request debugged", client, gw.port(), "/policies/x", token, n, os, round > 0);
    }
    side.close();
    gwVertx.close();
  }

  static void run(String name, HttpClient client, int port, String path, String token, int n,
      com.sun.management.OperatingSystemMXBean os, boolean report) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI(path);
    if (token != null) {
      options.putHeader("Gatehouse-Debug", token);
    }
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    CompletableFuture<Void> finished = new CompletableFuture<>();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (sent.incrementAndGet() > n) {
        return;
      }
      client.request(options).compose(req -> req.send()).compose(resp -> {
        if (resp.statusCode() != 200) {
          finished.completeExceptionally(new IllegalStateException(name + ": status " + resp.statusCode()));
        }
        return resp.body();
      }).onComplete(ar -> {
        if (ar.failed()) {
          finished.completeExceptionally(ar.cause());
        } else if (done.incrementAndGet() == n) {
          finished.complete(null);
        } else {
          next[0].run();
        }
      });
    };
    for (int i = 0; i < 50; i++) {
      next[0].run();
    }
    finished.get(5, TimeUnit.MINUTES);
    long cpu = os.getProcessCpuTime() - cpu0;
    long wall = System.nanoTime() - t0;
    if (report) {
      System.out.printf("%-58s %6.1f us process CPU per request, %7.0f requests/s%n", name, cpu / 1000.0 / n,
          n / (wall / 1e9));
    }
  }
}
