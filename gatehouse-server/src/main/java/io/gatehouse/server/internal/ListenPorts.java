package io.gatehouse.server.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Checks, before {@code serve} creates anything, that it can listen on each of its ports, so that a port held by
 * another process is one line naming the port and the option that moves it; the listeners themselves bind later.
 */
final class ListenPorts {
  private ListenPorts() {}

  /** A listener of {@code serve}: its name in messages, address, port (0: any free one) and option. */
  record Listener(String name, String host, int port, String option) {}

  /**
   * Why the first of {@code listeners} that cannot listen fails, such as
   * {@code port 8080 (gateway) is already in use: stop the other process or pass --gateway-port}, or {@code null}.
   */
  static String firstUnavailable(List<Listener> listeners) {
    for (Listener l : listeners) {
      if (l.port() == 0) {
        continue;
      }
      InetAddress address;
      try {
        address = InetAddress.getByName(l.host());
      } catch (UnknownHostException e) {
        return "cannot resolve the " + l.name() + " address '" + l.host() + "': pass an IP address or a known host name";
      }
      try (ServerSocket probe = new ServerSocket()) {
        probe.setReuseAddress(true); // as the listeners do: a port in TIME_WAIT is free
        probe.bind(new InetSocketAddress(address, l.port()));
      } catch (BindException e) {
        String why = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        if (why.contains("in use")) {
          return "port " + l.port() + " (" + l.name() + ") is already in use: stop the other process or pass "
              + l.option();
        }
        return "cannot listen on " + l.host() + ":" + l.port() + " (" + l.name() + "): "
            + (why.contains("permission") ? "permission denied (ports below 1024 need privileges)" : why)
            + ": check the address and " + l.option();
      } catch (IOException e) {
        return "cannot listen on " + l.host() + ":" + l.port() + " (" + l.name() + "): " + IoMessages.describe(e);
      }
    }
    return null;
  }
}
