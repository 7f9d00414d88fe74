package io.gatehouse.gateway;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

/**
 * Listener settings of a gateway, fixed for its lifetime: addresses, head size, connection limits
 * and timeouts, and TLS certificates.
 *
 * @param host address the listeners bind to
 * @param port plain HTTP port (0 picks a free port)
 * @param httpsPort HTTPS port, used when {@code certificates} is not empty or when server certificates are
 *     uploaded ({@link Gateway#certificates}); 0 picks a free port
 * @param certificates server certificates; several are chosen among by SNI
 * @param maxHeaderSize the largest request head accepted, in bytes (431 beyond)
 * @param limits connection counts and client timeouts of the listeners
 * @param h2c whether the plain listener also speaks cleartext HTTP/2 (prior knowledge and
 *     {@code Upgrade: h2c}); off by default because Vert.x inspects the first bytes of each
 *     connection for the HTTP/2 preface before the strict HTTP/1.1 validator is in place, so with
 *     h2c on the first read of a connection is parsed by Netty's lenient decoder alone
 * @param dataDir where durable gateway state (quota counters) is kept, or {@code null} for memory
 * @param clientCertificates whether the HTTPS listener asks clients for a certificate; any
 *     certificate is accepted by TLS and judged by the {@code validate-client-certificate} policy of
 *     the API, so that each API can trust its own CAs
 * @param allowedBackendNetworks networks (CIDR notation) in which loopback, link-local and
 *     unspecified addresses may be backends; empty (the default) refuses them all. The gateway's own
 *     listeners are refused whatever this says.
 * @param http2 limits on HTTP/2 connections ({@link Http2Limits#defaults()} when {@code null})
 * @param tlsEngine the TLS implementation of the HTTPS listener ({@link TlsEngine#OPENSSL} when
 *     {@code null}); the JDK's is used when the chosen one is not available on this platform
 */
public record GatewayOptions(
    String host,
    int port,
    int httpsPort,
    List<Certificate> certificates,
    int maxHeaderSize,
    ConnectionLimits limits,
    boolean h2c,
    Path dataDir,
    boolean clientCertificates,
    List<String> allowedBackendNetworks,
    Http2Limits http2,
    TlsEngine tlsEngine) {

  /**
   * A server certificate: PEM certificate chain and private key files, or a PKCS#12 key store with
   * its password.
   */
  public record Certificate(Path certPem, Path keyPem, Path pkcs12, String pkcs12Password) {

    /** A PEM certificate chain and its private key. */
    public static Certificate pem(Path cert, Path key) {
      return new Certificate(requireNonNull(cert, "cert"), requireNonNull(key, "key"), null, null);
    }

    /** A PKCS#12 key store. */
    public static Certificate pkcs12(Path store, String password) {
      return new Certificate(null, null, requireNonNull(store, "store"), password);
    }
  }

  public GatewayOptions {
    requireNonNull(host, "host");
    certificates = certificates == null ? List.of() : List.copyOf(certificates);
    requireNonNull(limits, "limits");
    http2 = http2 == null ? Http2Limits.defaults() : http2;
    tlsEngine = tlsEngine == null ? TlsEngine.OPENSSL : tlsEngine;
    allowedBackendNetworks = allowedBackendNetworks == null ? List.of() : List.copyOf(allowedBackendNetworks);
    io.gatehouse.gateway.internal.Cidr.parse(allowedBackendNetworks); // names a malformed range
    if (maxHeaderSize < 1024) {
      throw new IllegalArgumentException("maxHeaderSize must be at least 1024 but was " + maxHeaderSize);
    }
  }

  /** Plain HTTP on {@code host:port}, 16 KiB heads, {@link ConnectionLimits#defaults()}, no TLS. */
  public static GatewayOptions plain(String host, int port) {
    return new GatewayOptions(host, port, 0, List.of(), 16 * 1024, ConnectionLimits.defaults(), false, null, false, List.of(), null, null);
  }

  /** Returns a copy with the connection limits and timeouts {@code limits}. */
  public GatewayOptions withLimits(ConnectionLimits limits) {
    return new GatewayOptions(host, port, httpsPort, certificates, maxHeaderSize, limits, h2c, dataDir, clientCertificates, allowedBackendNetworks, http2, tlsEngine);
  }

  /** Returns a copy keeping durable state (quota counters) under {@code dir}; {@code null} for memory only. */
  public GatewayOptions withDataDir(Path dir) {
    return new GatewayOptions(host, port, httpsPort, certificates, maxHeaderSize, limits, h2c, dir, clientCertificates, allowedBackendNetworks, http2, tlsEngine);
  }

  /** Returns a copy serving HTTPS on {@code httpsPort} with {@code certificates}. */
  public GatewayOptions withTls(int httpsPort, List<Certificate> certificates) {
    return new GatewayOptions(host, port, httpsPort, certificates, maxHeaderSize, limits, h2c, dataDir, clientCertificates, allowedBackendNetworks, http2, tlsEngine);
  }

  /** Returns a copy with cleartext HTTP/2 switched on or off (see {@code h2c}). */
  public GatewayOptions withH2c(boolean enabled) {
    return new GatewayOptions(host, port, httpsPort, certificates, maxHeaderSize, limits, enabled, dataDir, clientCertificates, allowedBackendNetworks, http2, tlsEngine);
  }

  /**
   * How many event loops serve the listeners: one server instance each, so that the gateway uses
   * every core; the number of available processors.
   */
  public int eventLoops() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** Returns a copy whose HTTPS listener asks for client certificates (see {@code clientCertificates}). */
  public GatewayOptions withClientCertificates(boolean request) {
    return new GatewayOptions(host, port, httpsPort, certificates, maxHeaderSize, limits, h2c, dataDir, request, allowedBackendNetworks, http2, tlsEngine);
  }

  /**
   * Returns a copy in which loopback, link-local and unspecified backends inside {@code networks}
   * (CIDR notation) are allowed (see {@code allowedBackendNetworks}).
   *
   * @throws IllegalArgumentException naming a range that is not CIDR notation
   */
  public GatewayOptions withAllowedBackendNetworks(List<String> networks) {
    return new GatewayOptions(host, port, httpsPort, certificates, maxHeaderSize, limits, h2c, dataDir,
        clientCertificates, requireNonNull(networks, "networks"), http2, tlsEngine);
  }

  /** Returns a copy with the HTTP/2 connection limits {@code limits}. */
  public GatewayOptions withHttp2(Http2Limits limits) {
    return new GatewayOptions(host, port, httpsPort, certificates, maxHeaderSize, this.limits, h2c, dataDir,
        clientCertificates, allowedBackendNetworks, requireNonNull(limits, "limits"), tlsEngine);
  }

  /** Returns a copy whose HTTPS listener uses the TLS implementation {@code engine}. */
  public GatewayOptions withTlsEngine(TlsEngine engine) {
    return new GatewayOptions(host, port, httpsPort, certificates, maxHeaderSize, limits, h2c, dataDir,
        clientCertificates, allowedBackendNetworks, http2, requireNonNull(engine, "engine"));
  }
}
