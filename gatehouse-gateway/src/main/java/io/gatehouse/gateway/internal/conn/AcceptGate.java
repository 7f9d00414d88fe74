package io.gatehouse.gateway.internal.conn;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.http.HttpServer;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the client connections of the gateway listeners from the moment they are accepted, and
 * closes a new connection at once (before TLS or any read) when it would exceed the total limit or
 * the limit for its client IP address.
 *
 * <p>One instance per gateway, shared by all its listening sockets: it sits first in each listening
 * channel's pipeline, where Netty passes every accepted child channel as a message. Thread-safe:
 * accepts run on acceptor threads, closes on the connections' event loops.
 */
@ChannelHandler.Sharable
public final class AcceptGate extends ChannelInboundHandlerAdapter {
  /** Pipeline name of the gate on a listening channel. */
  public static final String NAME = "gatehouse-accept-gate";

  private static final Logger LOG = LoggerFactory.getLogger(AcceptGate.class);

  private final int maxTotal;
  private final int maxPerAddress;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final LongAdder refusedTotal = new LongAdder();
  private final LongAdder refusedPerAddress = new LongAdder();

  /** A gate admitting {@code maxTotal} connections in all and {@code maxPerAddress} per client address. */
  public AcceptGate(int maxTotal, int maxPerAddress) {
    if (maxTotal < 1 || maxPerAddress < 1) {
      throw new IllegalArgumentException("limits must be at least 1 but were " + maxTotal + " and " + maxPerAddress);
    }
    this.maxTotal = maxTotal;
    this.maxPerAddress = maxPerAddress;
  }

  /**
   * Places this gate in front of the listening socket of {@code server} (a started Vert.x TCP HTTP
   * server); idempotent for servers sharing one socket.
   *
   * @throws IllegalStateException when the listening channel cannot be found (a Vert.x change):
   *     starting without connection limits would be silent, so it fails instead
   */
  public void guard(HttpServer server) {
    Channel listening = listeningChannel(server);
    synchronized (listening) {
      if (listening.pipeline().get(NAME) == null) {
        listening.pipeline().addFirst(NAME, this);
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Channel child)) {
      ctx.fireChannelRead(msg);
      return;
    }
    InetAddress address = child.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    if (open.incrementAndGet() > maxTotal) {
      open.decrementAndGet();
      refusedTotal.increment();
      refuse(child, "gateway has " + maxTotal + " connections open");
      return;
    }
    if (address != null && perAddress.compute(address, (a, c) -> {
      AtomicInteger n = c == null ? new AtomicInteger() : c;
      n.incrementAndGet();
      return n;
    }).get() > maxPerAddress) {
      release(address);
      open.decrementAndGet();
      refusedPerAddress.increment();
      refuse(child, address.getHostAddress() + " has " + maxPerAddress + " connections open");
      return;
    }
    InetAddress counted = address;
    child.closeFuture().addListener(f -> {
      open.decrementAndGet();
      if (counted != null) {
        release(counted);
      }
    });
    ctx.fireChannelRead(child);
  }

  private void release(InetAddress address) {
    perAddress.computeIfPresent(address, (a, c) -> c.decrementAndGet() <= 0 ? null : c);
  }

  private static void refuse(Channel child, String why) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("refusing connection from {}: {}", child.remoteAddress(), why);
    }
    child.unsafe().closeForcibly();
  }

  /** Client connections counted as open now. */
  public int open() {
    return open.get();
  }

  /** Connections closed at accept because the total limit was reached. */
  public long refusedTotal() {
    return refusedTotal.sum();
  }

  /** Connections closed at accept because their client address reached its limit. */
  public long refusedPerAddress() {
    return refusedPerAddress.sum();
  }

  private static Channel listeningChannel(HttpServer server) {
    try {
      Object s = server;
      if (s instanceof io.vertx.core.http.impl.CleanableHttpServer cleanable) {
        s = cleanable.unwrap();
      }
      if (!(s instanceof io.vertx.core.http.impl.tcp.TcpHttpServer tcp)) {
        throw new IllegalStateException("expected a TCP HTTP server but got " + s.getClass().getName());
      }
      Object net = tcp.tcpServer();
      Object main = field(net, "actualServer");
      io.vertx.core.Future<?> bound = (io.vertx.core.Future<?>) field(main == null ? net : main, "bindFuture");
      if (bound == null || !(bound.result() instanceof Channel channel)) {
        throw new IllegalStateException("the listening socket of " + server + " is not bound");
      }
      return channel;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot reach the listening socket to enforce connection limits", e);
    }
  }

  private static Object field(Object target, String name) throws ReflectiveOperationException {
    Field f = target.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(target);
  }
}
