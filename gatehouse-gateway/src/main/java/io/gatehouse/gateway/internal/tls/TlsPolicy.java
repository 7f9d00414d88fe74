package io.gatehouse.gateway.internal.tls;

import io.gatehouse.gateway.TlsEngine;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TCPSSLOptions;
import java.util.List;
import java.util.Set;

/**
 * The HTTPS listener's TLS policy, the same whichever engine runs it: TLS 1.2 and 1.3, forward-secret
 * AEAD cipher suites only (ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2).
 */
public final class TlsPolicy {

  /** Protocol versions offered. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /** Cipher suites offered, by their IANA names, strongest first. */
  public static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsPolicy() {
  }

  /** Whether {@code engine} can run here: OpenSSL needs netty-tcnative's native library for this platform. */
  public static boolean available(TlsEngine engine) {
    return engine == TlsEngine.JDK || OpenSSLEngineOptions.isAvailable();
  }

  /**
   * Applies the policy and the engine to {@code options} and returns the engine in use: the JDK's
   * when {@code engine} is not {@link #available}.
   */
  public static TlsEngine apply(TCPSSLOptions options, TlsEngine engine) {
    TlsEngine used = available(engine) ? engine : TlsEngine.JDK;
    SSLEngineOptions engineOptions = used == TlsEngine.OPENSSL
        ? new OpenSSLEngineOptions().setSessionCacheEnabled(true)
        : new JdkSSLEngineOptions();
    options.setSslEngineOptions(engineOptions);
    options.setEnabledSecureTransportProtocols(PROTOCOLS);
    options.getEnabledCipherSuites().clear();
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    return used;
  }
}
