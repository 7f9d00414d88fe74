package io.gatehouse.control.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeysTest {
  @TempDir Path dir;

  @Test
  void createsOwnerOnlyKeyFileOnFirstStartAndReusesIt() throws Exception {
    MasterKeys first = MasterKeys.open(dir, Map.of());
    Path file = dir.resolve(MasterKeys.FILE_NAME);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    String envelope = first.encrypt("s3cret-value");
    assertThat(envelope).startsWith("v1:" + first.activeId() + ":").doesNotContain("s3cret");

    MasterKeys again = MasterKeys.open(dir, Map.of());
    assertThat(again.activeId()).isEqualTo(first.activeId());
    assertThat(again.decryptText(envelope)).isEqualTo("s3cret-value");
    assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly(MasterKeys.FILE_NAME);
  }

  @Test
  void usesAFreshDataKeyPerValue() {
    MasterKeys keys = MasterKeys.open(dir, Map.of());
    String a = keys.encrypt("same");
    String b = keys.encrypt("same");
    assertThat(a.split(":")[2]).isNotEqualTo(b.split(":")[2]);
    assertThat(a.split(":")[3]).isNotEqualTo(b.split(":")[3]);
  }

  @Test
  void rejectsTamperedEnvelopeAndUnknownKey() {
    MasterKeys keys = MasterKeys.open(dir, Map.of());
    String envelope = keys.encrypt("value");
    String[] p = envelope.split(":");
    char last = p[3].charAt(p[3].length() - 2);
    String tampered = p[0] + ":" + p[1] + ":" + p[2] + ":" + p[3].substring(0, p[3].length() - 2)
        + (last == 'A' ? 'B' : 'A') + p[3].charAt(p[3].length() - 1);
    assertThatThrownBy(() -> keys.decrypt(tampered)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not decrypt");
    assertThatThrownBy(() -> keys.decrypt("v1:knope:" + p[2] + ":" + p[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("knope");
  }

  @Test
  void takesTheMasterKeyFromTheEnvironment() {
    byte[] raw = new byte[32];
    raw[0] = 7;
    Map<String, String> env = Map.of("GATEHOUSE_MASTER_KEY", Base64.getEncoder().encodeToString(raw));
    MasterKeys keys = MasterKeys.open(dir, env);
    assertThat(keys.source()).isEqualTo("env");
    assertThat(keys.activeId()).startsWith("env-");
    assertThat(MasterKeys.open(dir, env).decryptText(keys.encrypt("x"))).isEqualTo("x");
    assertThat(Files.exists(dir.resolve(MasterKeys.FILE_NAME))).isFalse();
    assertThatThrownBy(() -> MasterKeys.open(dir, Map.of("GATEHOUSE_MASTER_KEY", "c2hvcnQ=")))
        .hasMessageContaining("32 bytes but got 5 bytes");
  }

  @Test
  void keepsTheMasterKeyInAPkcs11Token() throws Exception {
    Path util = java.util.stream.Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
        .map(d -> Path.of(d, "softhsm2-util")).filter(Files::isExecutable).findFirst().orElse(null);
    assumeTrue(util != null,
        "SKIPPED: softhsm2-util is not installed (Debian package softhsm2); the PKCS#11 master key path is untested");
    Path lib = java.util.stream.Stream.of("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so")
        .map(Path::of).filter(Files::exists).findFirst()
        .orElseThrow(() -> new AssertionError("softhsm2-util is installed but libsofthsm2.so was not found"));
    Path tokens = Files.createDirectories(dir.resolve("tokens"));
    Path conf = dir.resolve("softhsm2.conf");
    Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    ProcessBuilder pb = new ProcessBuilder(util.toString(), "--init-token", "--free", "--label", "gatehouse",
        "--pin", "1234", "--so-pin", "5678").redirectErrorStream(true);
    pb.environment().put("SOFTHSM2_CONF", conf.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    // SoftHSM reads SOFTHSM2_CONF from the process environment, which a running JVM cannot change:
    // the PKCS#11 work runs in child JVMs (one encrypts, a second decrypts: the key lives in the token)
    Path p11 = dir.resolve("p11.cfg");
    Files.writeString(p11, "name = gatehouse-test\nlibrary = " + lib + "\nslotListIndex = 0\n");
    String envelope = probe(conf, "encrypt", p11.toString(), "hsm-wrapped");
    assertThat(envelope).startsWith("v1:p11-gh-master:").doesNotContain("hsm-wrapped");
    assertThat(probe(conf, "decrypt", p11.toString(), envelope)).isEqualTo("hsm-wrapped");
    assertThat(probe(conf, "source", p11.toString(), "-")).isEqualTo("pkcs11");
  }

  private static String probe(Path softhsmConf, String... args) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Pkcs11Probe.class.getName()));
    cmd.addAll(java.util.List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("SOFTHSM2_CONF", softhsmConf.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out.lines().filter(l -> l.startsWith("RESULT ")).map(l -> l.substring(7)).findFirst()
        .orElseThrow(() -> new AssertionError("no result from the PKCS#11 probe: " + out));
  }
}
