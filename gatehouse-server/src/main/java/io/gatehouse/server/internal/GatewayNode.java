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
 * readiness probe answers 503 until the first snapshot (cached or fetched) is served. Its
 * analytics and the requests it serves (for discovery and threat detection) are reported to the
 * control plane every second ({@link NodeTelemetry}).
 */
final class GatewayNode {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayNode.class);

  /** How often a gateway node reports its analytics and served requests to the control plane. */
  static final java.time.Duration REPORT_EVERY = java.time.Duration.ofSeconds(1);

  private GatewayNode() {}

  /** Whether {@code blocks} (identity to end) blocks the client at {@code ip} or with {@code subscription} now. */
  static boolean blocked(java.util.Map<String, java.time.Instant> blocks, String ip, String subscription) {
    if (blocks.isEmpty()) {
      return false;
    }
    java.time.Instant now = java.time.Instant.now();
    java.time.Instant until = blocks.get("ip:" + ip);
    if (until != null && now.isBefore(until)) {
      return true;
    }
    until = subscription == null || subscription.isEmpty() ? null : blocks.get("subscription:" + subscription);
    return until != null && now.isBefore(until);
  }

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
      // analytics and served requests go to the control plane over the node's channel (see NodeTelemetry)
      java.util.concurrent.atomic.AtomicReference<NodeAgent> channel = new java.util.concurrent.atomic.AtomicReference<>();
      NodeTelemetry telemetry = NodeTelemetry.start(report -> {
        NodeAgent a = channel.get();
        if (a == null) {
          throw new java.io.IOException("not connected to the control plane yet");
        }
        return a.report(report);
      }, REPORT_EVERY);
      gateway.events().subscribe(telemetry);
      AutoCloseable detections = io.gatehouse.gateway.security.InjectionDetections.subscribe(telemetry::detected);
      Observability observability = Observability.attach(gateway, () -> telemetry, observe, "");
      CompletableFuture<Void> ready = new CompletableFuture<>();
      byte[][] hashingKey = {null};
      var blocks = new java.util.concurrent.atomic.AtomicReference<java.util.Map<String, java.time.Instant>>(
          java.util.Map.of());
      gateway.clientBlocks((ip, subscription) -> blocked(blocks.get(), ip, subscription));
      // debug sessions arrive with each snapshot (token hashes only); traces go to the control plane in reports
      gateway.debugSessions().onRecorded((id, trace) ->
          telemetry.traced(id, io.gatehouse.model.ConfigMapper.json().valueToTree(trace)));
      var applied = new java.util.concurrent.atomic.AtomicReference<io.gatehouse.model.GatewayConfig>();
      var certificates = new java.util.concurrent.atomic.AtomicReference<
          java.util.List<io.gatehouse.control.certificates.CertificateMaterial>>(java.util.List.of());
      String address = role.advertiseAddress != null ? role.advertiseAddress
          : options.host() + ":" + gateway.port();
      NodeAgent agent = NodeAgent.start(new NodeAgent.Settings(data, role.controlPlanes(),
          role.enrolToken, address, RoleOptions.version(), role.heartbeat, role.snapshotWait, null), snapshot -> {
            synchronized (hashingKey) {
              if (hashingKey[0] == null || !Arrays.equals(hashingKey[0], snapshot.keyHashingKey())) {
                gateway.subscriptionKeyHasher(SubscriptionKeys.keyed(snapshot.keyHashingKey()));
                hashingKey[0] = snapshot.keyHashingKey().clone();
              }
              blocks.set(snapshot.blocks());
              gateway.debugSessions().share(DebugWiring.shared(snapshot.debugSessions()));
              boolean newCertificates = !certificates.get().equals(snapshot.certificates());
              if (newCertificates) { // before the compile: backends refer to them
                ServeCommand.await(gateway.certificates(CertificateWiring.forGateway(snapshot.certificates())));
                certificates.set(snapshot.certificates());
              }
              // a snapshot that changed only the blocked clients needs no compile
              if (newCertificates || gateway.revision() != snapshot.revision() || !snapshot.config().equals(applied.get())) {
                gateway.apply(snapshot.config(), snapshot.revision());
                applied.set(snapshot.config());
              }
            }
            gateway.ready();
            ready.complete(null);
          });
      channel.set(agent);
      agent.backendStatus(() -> io.gatehouse.model.ConfigMapper.json().valueToTree(gateway.backendStatus()));
      out.println("Gatehouse gateway node " + agent.nodeId() + " is running.");
      out.println("  gateway       http://" + options.host() + ":" + gateway.port()
          + (gateway.httpsPort() > 0 ? "  https://" + options.host() + ":" + gateway.httpsPort() : ""));
      out.println("  control plane " + String.join(", ", role.controlPlanes().stream().map(URI::toString).toList())
          + (agent.served() == null ? " (no cached snapshot: not ready until it answers)"
              : " (serving cached revision " + agent.served().revision() + ")"));
      return new ServeCommand.Running(vertx, gateway, null, null, () -> {
        try {
          gateway.events().unsubscribe(telemetry);
          detections.close();
          telemetry.close(); // after the analytics' last flush (observability closes first)
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
