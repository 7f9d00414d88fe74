package io.gatehouse.server.internal;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code serve} that choose a node's role in a cluster (hybrid mode): {@code all}
 * (control plane and gateway in one process, the default), {@code control} (the management API
 * and the node listener; no public gateway listener) or {@code gateway} (a gateway node without
 * database credentials that takes its configuration from a control plane).
 */
public final class RoleOptions {
  /** The role of a process that runs everything. */
  public static final String ALL = "all";
  /** The role of a control node. */
  public static final String CONTROL = "control";
  /** The role of a gateway node. */
  public static final String GATEWAY = "gateway";

  @Option(names = "--role", paramLabel = "all|control|gateway", defaultValue = "${env:GATEHOUSE_ROLE:-all}",
      description = "all: control plane and gateway in one process (default); control: management API and the node"
          + " listener for gateway nodes; gateway: a gateway node fed by --control-plane (env GATEHOUSE_ROLE).")
  String role;

  @Option(names = "--control-plane", paramLabel = "https://HOST:PORT", split = ",",
      defaultValue = "${env:GATEHOUSE_CONTROL_PLANE}",
      description = "With --role gateway: a control node's node listener; repeat or comma-separate to name several"
          + " control nodes on one database, tried in order (env GATEHOUSE_CONTROL_PLANE).")
  List<String> controlPlane;

  @Option(names = "--enrol-token", paramLabel = "TOKEN", defaultValue = "${env:GATEHOUSE_ENROL_TOKEN}",
      description = "With --role gateway: the single-use token that enrols this node on its first start"
          + " (from POST /api/v1/nodes/enrolment-tokens; prefer env GATEHOUSE_ENROL_TOKEN).")
  String enrolToken;

  @Option(names = "--node-host", paramLabel = "HOST", defaultValue = "${env:GATEHOUSE_NODE_HOST:-0.0.0.0}",
      description = "With --role control: the node listener's bind address (env GATEHOUSE_NODE_HOST, default 0.0.0.0).")
  String nodeHost;

  @Option(names = "--node-port", paramLabel = "PORT", defaultValue = "${env:GATEHOUSE_NODE_PORT:-8005}",
      description = "With --role control: the node listener's port, HTTPS with mutual TLS for gateway nodes"
          + " (env GATEHOUSE_NODE_PORT, default 8005).")
  int nodePort;

  @Option(names = "--node-name", paramLabel = "NAME", split = ",",
      description = "With --role control: a DNS name or IP address gateway nodes use for the node listener, written"
          + " into its certificate (repeat or comma-separate; localhost is always there).")
  List<String> nodeNames = new ArrayList<>();

  @Option(names = "--advertise-address", paramLabel = "HOST:PORT",
      description = "The address this node reports in GET /api/v1/nodes (default: its gateway or management listener).")
  String advertiseAddress;

  @Option(names = "--heartbeat-interval", paramLabel = "DURATION", defaultValue = "10s", hidden = true,
      converter = DurationConverter.class, description = "How often a node reports its status (default 10s).")
  Duration heartbeat;

  @Option(names = "--snapshot-wait", paramLabel = "DURATION", defaultValue = "30s", hidden = true,
      converter = DurationConverter.class, description = "How long a gateway node's snapshot request waits (default 30s).")
  Duration snapshotWait;

  /** Whether the role is {@code gateway}. */
  boolean gateway() {
    return GATEWAY.equals(role);
  }

  /** Whether the role is {@code control}. */
  boolean control() {
    return CONTROL.equals(role);
  }

  /** The first problem with these options for {@code role}, or null; {@code fileOrDemo} names --config or --demo when given. */
  String problem(String fileOrDemo) {
    if (!List.of(ALL, CONTROL, GATEWAY).contains(role)) {
      return "--role: expected all, control or gateway but got '" + role + "'";
    }
    if (gateway()) {
      if (controlPlanes().isEmpty()) {
        return "--role gateway needs --control-plane https://HOST:PORT";
      }
      for (String c : controlPlane) {
        if (c.isBlank()) {
          continue;
        }
        try {
          URI u = URI.create(c.strip());
          if (!"https".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0) {
            return "--control-plane: expected https://HOST:PORT but got '" + c + "'";
          }
        } catch (IllegalArgumentException e) {
          return "--control-plane: expected https://HOST:PORT but got '" + c + "'";
        }
      }
      if (fileOrDemo != null) {
        return fileOrDemo + " cannot be combined with --role gateway: a gateway node serves its control plane's configuration";
      }
    } else if (!controlPlanes().isEmpty() || enrolToken != null) {
      return (!controlPlanes().isEmpty() ? "--control-plane" : "--enrol-token") + " is only for --role gateway";
    }
    if (nodePort < 0 || nodePort > 65535) {
      return "--node-port: expected 0 to 65535 but got " + nodePort;
    }
    return null;
  }

  /** The control nodes named by {@code --control-plane}, in order, without blanks and repeats. */
  List<URI> controlPlanes() {
    if (controlPlane == null) {
      return List.of();
    }
    return controlPlane.stream().map(String::strip).filter(c -> !c.isEmpty()).distinct().map(URI::create).toList();
  }

  /** The version a node reports. */
  static String version() {
    String v = RoleOptions.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
