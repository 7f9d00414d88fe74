package io.gatehouse.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The backend part of {@link ConfigValidator}: ranges, algorithm names, readable TLS files. */
final class BackendChecks {
  private static final Pattern METHOD = Pattern.compile("[A-Z]+");

  private BackendChecks() {}

  static void check(List<ConfigProblem> out, String at, BackendDef b) {
    if (b.loadBalancing() != null && !BackendDef.ALGORITHMS.contains(b.loadBalancing())) {
      out.add(ConfigProblem.at(at + ".loadBalancing",
          "expected one of " + BackendDef.ALGORITHMS + " but got '" + b.loadBalancing() + "'"));
    }
    positive(out, at + ".timeout", b.timeout());
    if (b.timeouts() != null) {
      positive(out, at + ".timeouts.connect", b.timeouts().connect());
      positive(out, at + ".timeouts.response", b.timeouts().response());
      positive(out, at + ".timeouts.idle", b.timeouts().idle());
      Duration poolIdle = b.timeouts().poolIdle();
      if (poolIdle != null && poolIdle.compareTo(Duration.ofMillis(100)) < 0) {
        out.add(ConfigProblem.at(at + ".timeouts.poolIdle", "expected at least 100ms but got '" + poolIdle + "'"));
      }
    }
    if (b.maxConnections() != null) {
      range(out, at + ".maxConnections", b.maxConnections(), 1, 100_000);
    }
    BackendDef.HealthCheck hc = b.healthCheck();
    if (hc != null) {
      if (!hc.path().startsWith("/")) {
        out.add(ConfigProblem.at(at + ".healthCheck.path", "expected a path starting with '/' but got '" + hc.path() + "'"));
      }
      positive(out, at + ".healthCheck.interval", hc.interval());
      positive(out, at + ".healthCheck.timeout", hc.timeout());
      range(out, at + ".healthCheck.healthyThreshold", hc.healthyThreshold(), 1, 100);
      range(out, at + ".healthCheck.unhealthyThreshold", hc.unhealthyThreshold(), 1, 100);
    }
    BackendDef.OutlierDetection od = b.outlierDetection();
    if (od != null) {
      range(out, at + ".outlierDetection.consecutiveFailures", od.consecutiveFailures(), 1, 1000);
      positive(out, at + ".outlierDetection.baseEjection", od.baseEjection());
    }
    BackendDef.CircuitBreaker cb = b.circuitBreaker();
    if (cb != null) {
      String c = at + ".circuitBreaker";
      range(out, c + ".failureRateThreshold", cb.failureRateThreshold(), 1, 100);
      range(out, c + ".slowCallRateThreshold", cb.slowCallRateThreshold(), 1, 100);
      positive(out, c + ".slowCallDuration", cb.slowCallDuration());
      range(out, c + ".window", cb.window(), 1, 10_000);
      range(out, c + ".minimumCalls", cb.minimumCalls(), 1, cb.window());
      positive(out, c + ".openDuration", cb.openDuration());
      range(out, c + ".halfOpenCalls", cb.halfOpenCalls(), 1, 1000);
    }
    BackendDef.Retry r = b.retry();
    if (r != null) {
      range(out, at + ".retry.count", r.count(), 0, 10);
      if (!(r.budgetRatio() >= 0 && r.budgetRatio() <= 1)) {
        out.add(ConfigProblem.at(at + ".retry.budgetRatio", "expected a ratio from 0 to 1 but got " + r.budgetRatio()));
      }
      if (r.backoff().isNegative()) {
        out.add(ConfigProblem.at(at + ".retry.backoff", "expected a duration >= 0 but got " + r.backoff()));
      }
      for (int i = 0; i < r.methods().size(); i++) {
        String m = r.methods().get(i);
        if (!METHOD.matcher(m).matches()) {
          out.add(ConfigProblem.at(at + ".retry.methods[" + i + "]", "expected an upper-case HTTP method but got '" + m + "'"));
        }
      }
    }
    BackendDef.Tls tls = b.tls();
    if (tls != null) {
      String t = at + ".tls";
      readable(out, t + ".caFile", tls.caFile());
      readable(out, t + ".clientCert", tls.clientCert());
      readable(out, t + ".clientKey", tls.clientKey());
      if (tls.caFile() != null && tls.caPem() != null) {
        out.add(ConfigProblem.at(t, "expected at most one of 'caFile' and 'caPem' but got both"));
      }
      if (tls.caPem() != null && !tls.caPem().contains("-----BEGIN CERTIFICATE-----")) {
        out.add(ConfigProblem.at(t + ".caPem", "expected PEM text with '-----BEGIN CERTIFICATE-----'"));
      }
      if (tls.caCertificate() != null && (tls.caFile() != null || tls.caPem() != null)) {
        out.add(ConfigProblem.at(t, "expected at most one of 'caCertificate', 'caFile' and 'caPem'"));
      }
      if (tls.clientCertificate() != null && (tls.clientCert() != null || tls.clientKey() != null)) {
        out.add(ConfigProblem.at(t, "expected 'clientCertificate' or 'clientCert'/'clientKey' but got both"));
      }
      certificateName(out, t + ".clientCertificate", tls.clientCertificate());
      certificateName(out, t + ".caCertificate", tls.caCertificate());
      if ((tls.clientCert() == null) != (tls.clientKey() == null)) {
        out.add(ConfigProblem.at(t, "expected both 'clientCert' and 'clientKey' or neither"));
      }
      if (tls.pins() != null) {
        for (int i = 0; i < tls.pins().size(); i++) {
          String pin = tls.pins().get(i);
          String value = pin.toLowerCase(Locale.ROOT).startsWith("sha256/") ? pin.substring(7) : pin;
          boolean ok;
          try {
            ok = Base64.getDecoder().decode(value).length == 32;
          } catch (IllegalArgumentException e) {
            ok = false;
          }
          if (!ok) {
            out.add(ConfigProblem.at(t + ".pins[" + i + "]",
                "expected a base64 SHA-256 hash (44 characters) but got '" + pin + "'"));
          }
        }
      }
      if (tls.serverName() != null && !tls.serverName().matches("[A-Za-z0-9.-]+")) {
        out.add(ConfigProblem.at(t + ".serverName", "expected a DNS name but got '" + tls.serverName() + "'"));
      }
    }
  }

  /** The shape of an uploaded certificate's name (the management API refuses others). */
  static final Pattern CERTIFICATE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private static void certificateName(List<ConfigProblem> out, String at, String name) {
    if (name != null && !CERTIFICATE_NAME.matcher(name).matches()) {
      out.add(ConfigProblem.at(at, "expected a certificate name (letters, digits, '.', '_', '-'; at most 100) but got '"
          + name + "'"));
    }
  }

  private static void readable(List<ConfigProblem> out, String at, String file) {
    if (file != null && !Files.isReadable(Path.of(file))) {
      out.add(ConfigProblem.at(at, "expected a readable file but got '" + file + "'"));
    }
  }

  private static void positive(List<ConfigProblem> out, String at, Duration d) {
    if (d != null && (d.isNegative() || d.isZero())) {
      out.add(ConfigProblem.at(at, "expected a duration > 0 but got " + d));
    }
  }

  private static void range(List<ConfigProblem> out, String at, int value, int min, int max) {
    if (value < min || value > max) {
      out.add(ConfigProblem.at(at, "expected a number from " + min + " to " + max + " but got " + value));
    }
  }
}
