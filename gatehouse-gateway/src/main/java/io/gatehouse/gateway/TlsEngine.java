package io.gatehouse.gateway;

/**
 * The TLS implementation of the gateway's HTTPS listener: both offer the same protocol versions
 * (TLS 1.2 and 1.3) and the same cipher suites, the OpenSSL one costs less CPU per request.
 */
public enum TlsEngine {
  /** BoringSSL through netty-tcnative, shipped for Linux x86-64; the JDK's where it cannot load. */
  OPENSSL,
  /** The JDK's own {@code SSLEngine}. */
  JDK
}
