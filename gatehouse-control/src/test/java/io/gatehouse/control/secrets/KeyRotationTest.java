package io.gatehouse.control.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.NamedValueDef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRotationTest {
  static final int REVISIONS = 45;

  @TempDir Path dir;

  private static GatewayConfig config(int i) {
    return GatewayConfig.EMPTY.withNamedValues(List.of(NamedValueDef.secret("db-password", "secret-" + i),
        new NamedValueDef("counter", Integer.toString(i))));
  }

  private void fill(SqliteConfigStore store) {
    for (int i = 1; i <= REVISIONS; i++) {
      store.commit(config(i), "test", "revision " + i);
    }
  }

  /** Opens the data directory afresh (keys as on disk) and checks that every revision's secret decrypts. */
  private void assertAllReadable(int revisions) {
    try (SqliteConfigStore store = SqliteConfigStore.open(dir, Map.of())) {
      for (int i = 1; i <= revisions; i++) {
        int n = i;
        assertThat(store.get(i)).hasValueSatisfying(r ->
            assertThat(r.config().namedValue("db-password").orElseThrow().value()).isEqualTo(n <= REVISIONS ? "secret-" + n : "late"));
      }
      assertThat(store.secrets().sealing().unseal(store.secrets().sealing().seal("x"))).isEqualTo("x");
    }
  }

  private List<String> keyIdsInDatabase() throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("gatehouse.db"));
        ResultSet rs = c.createStatement().executeQuery(
            "SELECT config FROM revisions UNION ALL SELECT private_key FROM instance_keys"
                + " UNION ALL SELECT private_key FROM certificates WHERE private_key IS NOT NULL")) {
      while (rs.next()) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("v1:([A-Za-z0-9_-]+):").matcher(rs.getString(1));
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }

  @Test
  void crashMidwayLeavesEverySecretReadableAndRerunFinishes() throws Exception {
    try (SqliteConfigStore store = SqliteConfigStore.open(dir, Map.of())) {
      fill(store);
    }
    String oldKey = MasterKeys.readFile(dir.resolve(MasterKeys.FILE_NAME)).get(0)[0];

    assertThatThrownBy(() -> KeyRotation.rotate(dir, 25)).isInstanceOf(KeyRotation.SimulatedCrash.class);
    List<String[]> onDisk = MasterKeys.readFile(dir.resolve(MasterKeys.FILE_NAME));
    assertThat(onDisk).hasSize(2);
    assertThat(onDisk.get(1)[0]).isEqualTo(oldKey);
    // one batch of 20 was committed, the second rolled back: both keys are in use
    assertThat(keyIdsInDatabase()).contains(oldKey, onDisk.get(0)[0]);
    assertAllReadable(REVISIONS);

    KeyRotation.Result done = KeyRotation.rotate(dir);
    assertThat(done.retiredKeyIds()).containsExactly(onDisk.get(0)[0], oldKey);
    List<String[]> after = MasterKeys.readFile(dir.resolve(MasterKeys.FILE_NAME));
    assertThat(after).hasSize(1);
    assertThat(after.get(0)[0]).isEqualTo(done.newKeyId());
    assertThat(keyIdsInDatabase()).isNotEmpty().allMatch(done.newKeyId()::equals);
    assertAllReadable(REVISIONS);
  }

  @Test
  void rotatesWhileTheStoreIsOpenAndLaterCommitsUseTheNewKey() throws Exception {
    try (SqliteConfigStore running = SqliteConfigStore.open(dir, Map.of())) {
      fill(running);
      KeyRotation.Result r = KeyRotation.rotate(dir);
      assertThat(r.rowsRewrapped()).isEqualTo(REVISIONS + 2); // and the sealing and key-hashing keys
      // the running store still reads everything and writes under the new key
      assertThat(running.get(3).orElseThrow().config().namedValue("db-password").orElseThrow().value()).isEqualTo("secret-3");
      running.commit(GatewayConfig.EMPTY.withNamedValues(List.of(NamedValueDef.secret("db-password", "late"))), "test", "late");
      assertThat(keyIdsInDatabase()).allMatch(r.newKeyId()::equals);
    }
    assertAllReadable(REVISIONS + 1);
  }

  @Test
  void rewrapsCertificateKeysAndSkipsCaBundles() throws Exception {
    io.gatehouse.control.certificates.TestCerts.Cert ca = io.gatehouse.control.certificates.TestCerts.ca("Rotation CA");
    io.gatehouse.control.certificates.TestCerts.Cert leaf = io.gatehouse.control.certificates.TestCerts.leaf(ca, "r.example.test");
    String oldKey;
    try (SqliteConfigStore store = SqliteConfigStore.open(dir, Map.of())) {
      store.certificates().put("gateway", new io.gatehouse.control.certificates.CertificateUpload("server",
          leaf.certPem(), leaf.keyPem(), null, null), "test");
      store.certificates().put("roots", new io.gatehouse.control.certificates.CertificateUpload("ca",
          ca.certPem(), null, null, null), "test");
      oldKey = store.secrets().masterKeys().activeId();
    }
    KeyRotation.Result r = KeyRotation.rotate(dir);
    assertThat(r.retiredKeyIds()).containsExactly(oldKey);
    assertThat(r.rowsRewrapped()).isEqualTo(3); // the sealing key, the key-hashing key and the certificate key
    assertThat(keyIdsInDatabase()).isNotEmpty().allMatch(r.newKeyId()::equals);
    try (SqliteConfigStore store = SqliteConfigStore.open(dir, Map.of())) {
      assertThat(store.certificates().material()).filteredOn(m -> m.name().equals("gateway")).singleElement()
          .satisfies(m -> assertThat(m.privateKeyPem()).isEqualTo(
              io.gatehouse.control.certificates.internal.CertificateParser.pem("PRIVATE KEY",
                  leaf.keys().getPrivate().getEncoded())));
    }
  }
}
