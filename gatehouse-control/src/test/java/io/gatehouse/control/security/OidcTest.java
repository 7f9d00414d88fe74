package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OidcTest {
  static final String ISSUER = "https://idp.example.test/";
  static final String AUDIENCE = "gatehouse-management";

  @TempDir Path dir;
  HttpServer jwks;
  RSAKey key;
  final AtomicInteger fetches = new AtomicInteger();
  Mgmt m;

  @BeforeEach
  void start() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwks.createContext("/jwks.json", ex -> {
      fetches.incrementAndGet();
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    jwks.start();
    URI url = URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json");
    m = new Mgmt(dir, b -> b.oidc(new OidcSettings(ISSUER, AUDIENCE, url, "groups",
        OidcSettings.parseRoleMap("gh-admins=admin,gh-ops=operator+auditor"))));
  }

  @AfterEach
  void stop() throws Exception {
    m.close();
    jwks.stop(0);
  }

  String jwt(RSAKey signer, String issuer, String audience, long expiresInSeconds, List<String> groups) throws Exception {
    long now = System.currentTimeMillis();
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject("user-42")
        .issueTime(new Date(now)).expirationTime(new Date(now + expiresInSeconds * 1000)).claim("groups", groups).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signer.getKeyID())
        .type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(new RSASSASigner(signer));
    return jwt.serialize();
  }

  @Test
  void acceptsAValidJwtAndMapsItsGroupsToRoles() throws Exception {
    Mgmt.Res me = m.call(jwt(key, ISSUER, AUDIENCE, 300, List.of("gh-ops", "unrelated")), "GET", "/api/v1/whoami", null);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().get("name").asText()).isEqualTo("oidc:user-42");
    assertThat(me.json().get("method").asText()).isEqualTo("oidc");
    assertThat(me.json().get("roles").toString()).isEqualTo("[\"auditor\",\"operator\"]");
    String admin = jwt(key, ISSUER, AUDIENCE, 300, List.of("gh-admins"));
    assertThat(m.call(admin, "PUT", "/api/v1/config", "{}").status()).isEqualTo(200);
    assertThat(m.call(admin, "POST", "/api/v1/roles", "{}").status()).isEqualTo(403);
    assertThat(fetches.get()).as("keys are cached").isEqualTo(1);
  }

  @Test
  void rejectsWrongAudienceIssuerExpiryOrKey() throws Exception {
    RSAKey other = new RSAKeyGenerator(2048).keyID("k1").generate();
    for (String bad : List.of(
        jwt(key, ISSUER, "someone-else", 300, List.of("gh-admins")),
        jwt(key, "https://evil.example.test/", AUDIENCE, 300, List.of("gh-admins")),
        jwt(key, ISSUER, AUDIENCE, -120, List.of("gh-admins")),
        jwt(other, ISSUER, AUDIENCE, 300, List.of("gh-admins")))) {
      assertThat(m.call(bad, "GET", "/api/v1/whoami", null).status()).isEqualTo(401);
    }
  }

  @Test
  void unmappedGroupsGrantNothing() throws Exception {
    String token = jwt(key, ISSUER, AUDIENCE, 300, List.of("owner", "everyone"));
    assertThat(m.call(token, "GET", "/api/v1/whoami", null).json().get("roles").toString()).isEqualTo("[]");
    assertThat(m.call(token, "GET", "/api/v1/apis", null).status()).isEqualTo(403);
  }
}
