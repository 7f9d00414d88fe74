package io.gatehouse.server.internal;

import io.gatehouse.control.cluster.NodeAgent;
import io.gatehouse.gateway.Gateway;
import io.gatehouse.gateway.GatewayOptions;
import io.gatehouse.model.SubscriptionKeys;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --role gateway}: the gateway listeners fed by a control plane's signed snapshots
 * (see {@link NodeAgent}); no database, no management listener, no database credentials. The
 * readiness probe answers 503 until the first snapshot (cached or fetched) is served.
 */
final class GatewayNode {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayNode.class);

  private GatewayNode() {}

  /**
   * Starts the gateway node: takes the data directory's lock, binds the gateway listeners, enrols when
   * needed, serves the cached snapshot when there is one, and follows the control plane from then on.
   *
   * @throws NodeAgent.StartException when the node is not enrolled and cannot enrol
   */
  static ServeCommand.Running start(Path data, GatewayOptions options, Observability.Settings observe,
      RoleOptions role, java.time.Duration drainPeriod, io.gatehouse.gateway.RedisOptions redis, PrintStream out,
      java.util.function.Supplier<Vertx> eventLoops) throws Exception {
    DataDirectoryLock lock = DataDirectoryLock.acquire(data);
    Vertx vertx = null;
    try {
      vertx = eventLoops.get();
      Gateway gateway = ServeCommand.await(Gateway.start(vertx, options, Gateway.DEFAULT_EVENT_QUEUE_CAPACITY,
          io.gatehouse.gateway.PolicyClocks.system(), redis));
      Observability observability = Observability.attach(gateway,
          () -> io.gatehouse.control.analytics.JdbcAnalyticsStore.open(data), observe);
      CompletableFuture<Void> ready = new CompletableFuture<>();
      byte[][] hashingKey = {null};
      String address = role.advertiseAddress != null ? role.advertiseAddress
          : options.host() + ":" + gateway.port();
      NodeAgent agent = NodeAgent.start(new NodeAgent.Settings(data, URI.create(role.controlPlane.strip()),
          role.enrolToken, address, RoleOptions.version(), role.heartbeat, role.snapshotWait, null), snapshot -> {
            synchronized (hashingKey) {
              if (hashingKey[0] == null || !Arrays.equals(hashingKey[0], snapshot.keyHashingKey())) {
                gateway.subscriptionKeyHasher(SubscriptionKeys.keyed(snapshot.keyHashingKey()));
                hashingKey[0] = snapshot.keyHashingKey().clone();
              }
              gateway.apply(snapshot.config(), snapshot.revision());
            }
            gateway.ready();
            ready.complete(null);
          });
      out.println("Gatehouse gateway node " + agent.nodeId() + " is running.");
      out.println("  gateway       http://" + options.host() + ":" + gateway.port()
          + (gateway.httpsPort() > 0 ? "  https://" + options.host() + ":" + gateway.httpsPort() : ""));
      out.println("  control plane " + role.controlPlane.strip()
          + (agent.served() == null ? " (no cached snapshot: not ready until it answers)"
              : " (serving cached revision " + agent.served().revision() + ")"));
      return new ServeCommand.Running(vertx, gateway, null, null, () -> {
        try {
          agent.close();
        } finally {
          lock.close();
        }
      }, observability, drainPeriod, ready, null);
    } catch (Exception | Error e) {
      if (vertx != null) {
        try {
          vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception x) {
          LOG.warn("closing after a failed start: {}", x.toString());
        }
      }
      lock.close();
      throw e;
    }
  }
}
