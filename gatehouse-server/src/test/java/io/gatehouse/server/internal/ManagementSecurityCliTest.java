package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.server.Main;
import io.gatehouse.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The management listener's bind rules, its TLS, and {@code gatehouse audit verify}. */
class ManagementSecurityCliTest {
  @TempDir Path dir;

  @Test
  void refusesANonLoopbackManagementAddressWithoutTlsEvenWhenAllowed() {
    int code = Main.run("serve", "--data", dir.toString(), "--gateway-host", "127.0.0.1", "--allowed-backend-networks",
        String.join(",", io.gatehouse.testing.GatehouseExtension.LOOPBACK_BACKENDS), "--gateway-port", "0",
        "--management-port", "0", "--portal-port", "0", "--management-host", "0.0.0.0", "--allow-remote-management");
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(Main.run("serve", "--data", dir.toString(), "--gateway-host", "127.0.0.1", "--gateway-port", "0",
        "--management-port", "0", "--portal-port", "0", "--management-host", "0.0.0.0")).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void servesManagementOverTlsWhenACertificateIsGiven() throws Exception {
    TestCertificates.Issued ca = TestCertificates.authority("test-ca");
    Path cert = TestCertificates.server(ca, "localhost").writePem(dir, "mgmt");
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1",
        "--gateway-port", "0", "--management-port", "0", "--portal-port", "0", "--drain-period", "0s",
        "--management-tls-cert", cert + "," + TestCertificates.Issued.keyPath(dir, "mgmt"));
    try (ServeCommand.Running running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()))) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1",
          running.management().actualPort())) {
        socket.getOutputStream().write(("GET /api/v1/openapi.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        assertThat(head).isEqualTo("HTTP/1.1 401");
      }
    }
  }

  @Test
  void auditVerifyExitsZeroWhenIntactAndNamesTheFirstAlteredRecord() throws Exception {
    try (SqliteConfigStore store = SqliteConfigStore.open(dir)) {
      AuditLog log = AuditLog.of(store);
      for (int i = 1; i <= 3; i++) {
        log.append("ann", "owner", "127.0.0.1", "postApis", "apis/a" + i, null, Map.of("i", i), "success", "r" + i);
      }
    }
    assertThat(runCapturing("audit", "verify", "--data", dir.toString())).startsWith("0 the audit log is intact: 3 records");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteConfigStore.FILE_NAME));
        Statement s = c.createStatement()) {
      s.execute("DROP TRIGGER audit_log_no_update");
      s.execute("UPDATE audit_log SET entity = 'apis/other' WHERE seq = 2");
    }
    assertThat(runCapturing("audit", "verify", "--data", dir.toString())).startsWith("1 TAMPERED: record 2 altered");
  }

  private static String runCapturing(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.run(args);
    } finally {
      System.setOut(old);
    }
    return code + " " + buffer.toString(StandardCharsets.UTF_8);
  }
}
