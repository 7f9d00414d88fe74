package io.gatehouse.gateway.internal.jwt;

import io.gatehouse.gateway.internal.TestData;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every signature example of the JOSE cookbook (RFC 7520, section 4) with a compact serialization
 * verifies with its key through {@link JwsVerifier}, and a copy with one payload byte or one
 * signature byte changed fails.
 */
class JoseCookbookTest {
  private static final Map<String, String> outcomes = new TreeMap<>();

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(TestData.suite("jose-cookbook").resolve("jws"))) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  private static final JwsVerifier VERIFIER = JwsVerifier.create(Set.of(), 64 * 1024);

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  @SuppressWarnings("unchecked")
  void cookbookSignatureVerifiesAndTamperedCopyFails(Path file) throws Exception {
    String name = file.getFileName().toString();
    Map<String, Object> example = JSONObjectUtils.parse(Files.readString(file));
    Map<String, Object> input = (Map<String, Object>) example.get("input");
    Map<String, Object> output = (Map<String, Object>) example.get("output");
    String compact = output == null ? null : (String) output.get("compact");
    if (compact == null) {
      outcomes.put(name, "skipped: no compact serialization (JSON serialization only)");
      Assumptions.abort("no compact serialization");
    }
    if (!(input.get("key") instanceof Map)) {
      outcomes.put(name, "skipped: several keys");
      Assumptions.abort("several keys");
    }
    String[] parts = compact.split("\\.", -1);
    if (parts[1].isEmpty()) {
      // detached content (RFC 7515 appendix F): reattach the payload
      String payload = (String) input.get("payload");
      parts[1] = Base64URL.encode(payload.getBytes(StandardCharsets.UTF_8)).toString();
      compact = String.join(".", parts);
    }
    JWK key = JWK.parse((Map<String, Object>) input.get("key"));
    KeyRing ring = KeyRing.of(new JWKSet(key), true);
    assertThat(ring.size()).as("usable key").isEqualTo(1);

    JwsVerifier.Outcome outcome = VERIFIER.verify(compact, ring);
    assertThat(outcome.status()).as("%s: %s", name, outcome.reason()).isEqualTo(JwsVerifier.Status.VERIFIED);

    // the same token verifies with the cookbook's published key set (public keys, section 3)
    assertThat(VERIFIER.verify(compact, publishedKeys()).status()).isEqualTo(JwsVerifier.Status.VERIFIED);

    String[] p = compact.split("\\.", -1);
    byte[] payload = Base64URL.from(p[1]).decode();
    payload[payload.length / 2] ^= 0x01;
    String tamperedPayload = p[0] + "." + Base64URL.encode(payload) + "." + p[2];
    assertThat(VERIFIER.verify(tamperedPayload, ring).status()).isEqualTo(JwsVerifier.Status.REJECTED);

    byte[] signature = Base64URL.from(p[2]).decode();
    signature[signature.length / 2] ^= 0x01;
    String tamperedSignature = p[0] + "." + p[1] + "." + Base64URL.encode(signature);
    assertThat(VERIFIER.verify(tamperedSignature, ring).status()).isEqualTo(JwsVerifier.Status.REJECTED);
    outcomes.put(name, "verified (" + ((Map<String, Object>) example.get("input")).get("alg") + "), tampered copies refused");
  }

  /** The cookbook's section 3 keys: public EC and RSA keys and the MAC key. */
  private static KeyRing publishedKeys() throws Exception {
    List<JWK> keys = new ArrayList<>();
    Path dir = TestData.suite("jose-cookbook").resolve("jwk");
    for (String f : List.of("3_1.ec_public_key.json", "3_3.rsa_public_key.json", "3_5.symmetric_key_mac_computation.json")) {
      keys.add(JWK.parse(Files.readString(dir.resolve(f))));
    }
    return KeyRing.of(new JWKSet(keys), true);
  }

  @Test
  void publishedKeysAreAllUsable() throws Exception {
    assertThat(publishedKeys().size()).isEqualTo(3);
  }

  @AfterAll
  static void report() {
    long verified = outcomes.values().stream().filter(v -> v.startsWith("verified")).count();
    System.out.println("JOSE cookbook JWS: " + verified + " verified, " + (outcomes.size() - verified) + " skipped of " + outcomes.size());
    outcomes.forEach((k, v) -> System.out.println("  " + k + ": " + v));
  }
}
