package io.gatehouse.server.internal;

import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.cluster.ClusterControl;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's part of hybrid mode in {@code serve}: the cluster registry (every role, so
 * {@code /api/v1/nodes} always answers) and, with {@code --role control}, the node listener that
 * gateway nodes enrol with and fetch signed snapshots from.
 *
 * @param cluster the registry and snapshot publisher
 * @param listener the node listener, nullable when not started
 */
record ControlNode(ClusterControl cluster, HttpServer listener) {
  private static final Logger LOG = LoggerFactory.getLogger(ControlNode.class);

  /** Opens the registry over {@code jdbi} and, for a control node, starts the node listener and its heartbeat. */
  static ControlNode start(Vertx vertx, Jdbi jdbi, ControlPlane plane, RoleOptions role) throws Exception {
    ClusterControl cluster = ClusterControl.open(jdbi, plane, Clock.systemUTC());
    if (!role.control()) {
      return new ControlNode(cluster, null);
    }
    HttpServer listener = ServeCommand.await(cluster.listen(vertx, role.nodeHost, role.nodePort, role.nodeNames));
    return new ControlNode(cluster, listener);
  }

  /** Records this control node in the registry now and every heartbeat interval (blocking calls on a worker). */
  void heartbeats(Vertx vertx, RoleOptions role, String address) {
    if (listener == null) {
      return;
    }
    String reported = role.advertiseAddress != null ? role.advertiseAddress : address;
    String id = "control-" + hostName() + "-" + listener.actualPort();
    Runnable beat = () -> vertx.executeBlocking(() -> {
      cluster.heartbeat(id, reported, RoleOptions.version());
      return null;
    }, false).onFailure(e -> LOG.warn("control node heartbeat: {}", e.toString()));
    beat.run();
    vertx.setPeriodic(role.heartbeat.toMillis(), t -> beat.run());
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }
}
