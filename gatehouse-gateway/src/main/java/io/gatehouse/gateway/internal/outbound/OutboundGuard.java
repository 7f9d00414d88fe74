package io.gatehouse.gateway.internal.outbound;

import static java.util.Objects.requireNonNull;

import io.gatehouse.gateway.internal.Cidr;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which addresses the gateway may connect to: never one of this process's own listeners,
 * and loopback, link-local (with cloud metadata) and unspecified addresses only inside the
 * operator's {@code allowedBackendNetworks}; host names are resolved first, so that the check
 * applies to the address that is then connected to. Thread-safe.
 */
public final class OutboundGuard {
  private static final Logger LOG = LoggerFactory.getLogger(OutboundGuard.class);
  private static final long WARN_EVERY_NANOS = 10_000_000_000L;
  // Cloud metadata services outside 169.254.0.0/16: Alibaba (100.100.100.200), AWS over IPv6.
  private static final Cidr METADATA = Cidr.parse(List.of("100.100.100.200/32", "fd00:ec2::254/128"));

  private record Listener(byte[] address, int port) {} // address null: bound to every local address

  private final Vertx vertx;
  private final Cidr allowed;
  private volatile Listener[] listeners = new Listener[0];
  private volatile List<byte[]> localAddresses = List.of();
  private volatile int version;
  private final ConcurrentHashMap<String, Long> warned = new ConcurrentHashMap<>();

  private OutboundGuard(Vertx vertx, List<String> allowedNetworks) {
    this.vertx = vertx;
    this.allowed = Cidr.parse(allowedNetworks);
  }

  /**
   * A guard resolving names on {@code vertx} ({@code null} for a compile-only check, which never
   * connects) that allows the special ranges in {@code allowedNetworks} (CIDR notation).
   *
   * @throws IllegalArgumentException naming a range that is not CIDR notation
   */
  public static OutboundGuard create(Vertx vertx, List<String> allowedNetworks) {
    return new OutboundGuard(vertx, requireNonNull(allowedNetworks, "allowedNetworks"));
  }

  /**
   * Records a listener of this process bound to {@code host} (a literal address or a name;
   * {@code 0.0.0.0} or {@code ::} for every local address) and {@code port}: no outbound call may
   * reach it, whatever the allowed networks say.
   */
  public synchronized void listener(String host, int port) {
    requireNonNull(host, "host");
    List<Listener> next = new ArrayList<>(Arrays.asList(listeners));
    String h = unbracket(host);
    try {
      for (InetAddress a : InetAddress.getAllByName(h)) {
        byte[] b = normalized(a.getAddress());
        next.add(new Listener(isZero(b) ? null : b, port));
      }
    } catch (UnknownHostException e) {
      next.add(new Listener(null, port)); // unknown: assume every local address
    }
    List<byte[]> locals = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          locals.add(normalized(a.getAddress()));
        }
      }
    } catch (SocketException e) {
      LOG.warn("cannot list the local addresses ({}); only loopback counts as local", e.toString());
    }
    localAddresses = List.copyOf(locals);
    listeners = next.toArray(new Listener[0]);
    version++;
  }

  /** Changes whenever a listener is added: a cached verdict is stale when its version differs. */
  public int version() {
    return version;
  }

  /**
   * Why the gateway must not connect to {@code address} port {@code port}, or {@code null} when it
   * may. The reason names the kind of address, never the address.
   */
  public String refusal(InetAddress address, int port) {
    byte[] b = normalized(address.getAddress());
    for (Listener l : listeners) {
      if (l.port == port && (l.address == null ? isLocal(b) : Arrays.equals(l.address, b) || isZero(b))) {
        return "it is a listener of this gateway process";
      }
    }
    String kind = special(b);
    if (kind == null || allowed.contains(b)) {
      return null;
    }
    return "it is a " + kind + " address outside allowedBackendNetworks";
  }

  /**
   * Resolves {@code host} (a name or a literal, IPv6 with or without brackets) and checks the
   * address for {@code port}; fails with {@link RefusedDestinationException} when it is refused.
   * Connect to the returned address (as {@code RequestOptions.setServer}) so that the connection
   * uses the address checked here.
   */
  public Future<SocketAddress> resolve(String host, int port) {
    String h = unbracket(host);
    InetAddress literal = NetUtil.createInetAddressFromIpAddressString(h);
    if (literal != null) {
      return checked(host, literal, port);
    }
    if (vertx == null) {
      return Future.failedFuture(new IllegalStateException("no resolver: compile-only guard"));
    }
    return ((VertxInternal) vertx).nameResolver().resolve(h).compose(a -> checked(host, a, port));
  }

  /**
   * Resolves {@code host} with the JVM's resolver, blocking, and checks every address it has for
   * {@code port}; returns the first. For clients that resolve again through the same JVM cache.
   *
   * @throws RefusedDestinationException when any address is refused
   * @throws UnknownHostException when the name does not resolve
   */
  public InetAddress resolveBlocking(String host, int port) throws UnknownHostException {
    InetAddress[] all = InetAddress.getAllByName(unbracket(host));
    for (InetAddress a : all) {
      String why = refusal(a, port);
      if (why != null) {
        throw refused(host, a, port, why);
      }
    }
    return all[0];
  }

  /**
   * The refusal of a connection already made for {@code host} to {@code connected} (by a client
   * that resolves names itself), or {@code null} when the address is allowed; an unknown address
   * is refused.
   */
  public RefusedDestinationException refusal(String host, SocketAddress connected) {
    InetAddress a = connected == null ? null : NetUtil.createInetAddressFromIpAddressString(connected.hostAddress());
    if (a == null) {
      return new RefusedDestinationException("the connected address is unknown");
    }
    String why = refusal(a, connected.port());
    return why == null ? null : refused(host, a, connected.port(), why);
  }

  private Future<SocketAddress> checked(String host, InetAddress a, int port) {
    String why = refusal(a, port);
    if (why != null) {
      return Future.failedFuture(refused(host, a, port, why));
    }
    return Future.succeededFuture(SocketAddress.inetSocketAddress(new InetSocketAddress(literal(a), port)));
  }

  /** {@code a} without its host name, so that a client given it connects without another lookup. */
  private static InetAddress literal(InetAddress a) {
    try {
      if (a instanceof java.net.Inet6Address v6 && v6.getScopeId() != 0) {
        return java.net.Inet6Address.getByAddress(null, v6.getAddress(), v6.getScopeId());
      }
      return InetAddress.getByAddress(a.getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("cannot happen: a valid address length", e);
    }
  }

  private RefusedDestinationException refused(String host, InetAddress a, int port, String why) {
    String key = host + ":" + port;
    long now = System.nanoTime();
    Long last = warned.get(key);
    if (last == null || now - last > WARN_EVERY_NANOS) {
      if (warned.size() > 10_000) {
        warned.clear();
      }
      warned.put(key, now);
      LOG.warn("refused an outbound connection to {} ({} port {}): {}", host, a.getHostAddress(), port, why);
    }
    return new RefusedDestinationException(why);
  }

  private boolean isLocal(byte[] b) {
    String kind = special(b);
    if ("loopback".equals(kind) || "unspecified".equals(kind)) {
      return true; // both reach this host
    }
    for (byte[] local : localAddresses) {
      if (Arrays.equals(local, b)) {
        return true;
      }
    }
    return false;
  }

  /** The kind of special-purpose address {@code b} is, or {@code null} for an ordinary one. */
  private static String special(byte[] b) {
    if (b.length == 4) {
      int b0 = b[0] & 0xFF;
      int b1 = b[1] & 0xFF;
      if (b0 == 127) {
        return "loopback";
      }
      if (b0 == 0) {
        return "unspecified";
      }
      if (b0 == 169 && b1 == 254) {
        return "link-local";
      }
    } else {
      if (isZero(b)) {
        return "unspecified";
      }
      boolean loopback = b[15] == 1;
      for (int i = 0; i < 15 && loopback; i++) {
        loopback = b[i] == 0;
      }
      if (loopback) {
        return "loopback";
      }
      if ((b[0] & 0xFF) == 0xfe && (b[1] & 0xC0) == 0x80) {
        return "link-local";
      }
    }
    return METADATA.contains(b) ? "cloud metadata" : null;
  }

  /** IPv4-mapped ({@code ::ffff:a.b.c.d}) and IPv4-compatible ({@code ::a.b.c.d}) forms as IPv4. */
  static byte[] normalized(byte[] b) {
    if (b.length != 16) {
      return b;
    }
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return b;
      }
    }
    boolean mapped = (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
    boolean compatible = b[10] == 0 && b[11] == 0 && (b[12] != 0 || b[13] != 0 || b[14] != 0 || (b[15] & 0xFF) > 1);
    return mapped || compatible ? Arrays.copyOfRange(b, 12, 16) : b;
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
