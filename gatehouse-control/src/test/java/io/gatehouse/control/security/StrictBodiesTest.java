package io.gatehouse.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every JSON body of the management API refuses unknown fields and duplicate keys with a 400 naming the field. */
class StrictBodiesTest {
  @TempDir Path dir;
  Mgmt m;

  @BeforeEach
  void start() throws Exception {
    m = new Mgmt(dir, b -> {}, new io.gatehouse.control.RequestDebugging() {
      @Override
      public Object open(String api, Duration ttl) {
        return Map.of("id", "d1", "ttl", ttl.toString());
      }

      @Override
      public Optional<List<?>> traces(String id) {
        return Optional.empty();
      }
    });
  }

  @AfterEach
  void stop() throws Exception {
    m.close();
  }

  @Test
  void refusesAnUnknownFieldInATokenRequestInsteadOfIssuingADefaultToken() throws Exception {
    Mgmt.Res r = m.owner("POST", "/api/v1/tokens", "{\"name\":\"t1\",\"roles\":[\"reader\"],\"expiresin\":\"PT1H\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(problem(r).get("field").asText()).isEqualTo("expiresin");
    assertThat(r.json().get("detail").asText()).contains("unknown field 'expiresin'").contains("expiresIn");
    assertThat(m.owner("GET", "/api/v1/tokens", null).json()).isEmpty();
  }

  @Test
  void refusesUnknownFieldsOnEveryIdentityAndDebugRoute() throws Exception {
    m.owner("POST", "/api/v1/apis", "{\"name\":\"a\",\"path\":\"/a\",\"backend\":null}");
    Map<String, String> bodies = Map.of(
        "/api/v1/login", "{\"name\":\"x\",\"password\":\"y\",\"remember\":true}",
        "/api/v1/accounts", "{\"name\":\"x\",\"password\":\"a-long-password-1\",\"roles\":[\"reader\"],\"admin\":true}",
        "/api/v1/roles", "{\"name\":\"r\",\"permissions\":[\"apis:read\"],\"inherits\":\"owner\"}",
        "/api/v1/debug-tokens", "{\"api\":\"a\",\"ttl\":60}");
    for (Map.Entry<String, String> e : bodies.entrySet()) {
      Mgmt.Res r = m.owner("POST", e.getKey(), e.getValue());
      assertThat(r.status()).as(e.getKey()).isEqualTo(400);
      assertThat(problem(r).get("field").asText()).as(e.getKey()).isIn("remember", "admin", "inherits", "ttl");
    }
    Mgmt.Res cert = m.owner("PUT", "/api/v1/certificates/c1", "{\"usage\":\"ca\",\"certificate\":\"x\",\"key\":\"y\"}");
    assertThat(cert.status()).isEqualTo(400);
    assertThat(problem(cert).get("field").asText()).isEqualTo("key");
  }

  @Test
  void refusesDuplicateKeysInEveryBodyNamingTheKeyAndItsPlace() throws Exception {
    Mgmt.Res token = m.owner("POST", "/api/v1/tokens", "{\"name\":\"dk1\",\"name\":\"dk2\",\"roles\":[\"reader\"]}");
    assertThat(token.status()).isEqualTo(400);
    assertThat(problem(token).get("field").asText()).isEqualTo("name");
    assertThat(problem(token).get("message").asText()).contains("duplicate key 'name'");
    assertThat(problem(token).get("line").asInt()).isEqualTo(1);
    assertThat(problem(token).get("column").asInt()).isPositive();

    Mgmt.Res backend = m.owner("POST", "/api/v1/backends",
        "{\"name\":\"b\",\n \"url\":\"http://127.0.0.1:9/\",\n \"url\":\"http://10.0.0.1/\"}");
    assertThat(backend.status()).isEqualTo(400);
    assertThat(problem(backend).get("field").asText()).isEqualTo("url");
    assertThat(problem(backend).get("line").asInt()).isEqualTo(3);
    assertThat(m.owner("GET", "/api/v1/backends", null).json()).isEmpty();

    Mgmt.Res nested = m.owner("PUT", "/api/v1/config",
        "{\"backends\":[{\"name\":\"b\",\"url\":\"http://h/\",\"timeout\":\"1s\",\"timeout\":\"2s\"}]}");
    assertThat(nested.status()).isEqualTo(400);
    assertThat(problem(nested).get("field").asText()).isEqualTo("backends[0].timeout");

    assertThat(m.owner("POST", "/api/v1/accounts",
        "{\"name\":\"a\",\"password\":\"a-long-password-1\",\"roles\":[\"reader\"],\"roles\":[\"owner\"]}").status())
        .isEqualTo(400);
    assertThat(m.owner("PUT", "/api/v1/certificates/c1", "{\"usage\":\"ca\",\"usage\":\"server\"}").status())
        .isEqualTo(400);
    assertThat(m.owner("POST", "/api/v1/debug-tokens", "{\"api\":\"a\",\"api\":\"b\"}").status()).isEqualTo(400);
  }

  @Test
  void refusesDuplicateKeysInAYamlConfigurationWithTheirLine() throws Exception {
    String yaml = "backends:\n  - name: b\n    url: http://127.0.0.1:9/\n    url: http://10.0.0.1/\n";
    HttpResponse<String> r = m.http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + m.server.actualPort() + "/api/v1/config"))
        .header("Authorization", "Bearer " + Mgmt.OWNER_TOKEN).header("Content-Type", "application/yaml")
        .PUT(HttpRequest.BodyPublishers.ofString(yaml)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode p = io.gatehouse.model.ConfigMapper.json().readTree(r.body()).get("problems").get(0);
    assertThat(p.get("field").asText()).isEqualTo("backends[0].url");
    assertThat(p.get("line").asInt()).isEqualTo(4);
    assertThat(p.get("message").asText()).contains("duplicate key 'url'");
  }

  @Test
  void aTypeMismatchNamesTheFieldAndWhatWasExpected() throws Exception {
    Mgmt.Res r = m.owner("POST", "/api/v1/backends", "{\"name\":[\"b\"],\"url\":\"http://h/\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(problem(r).get("field").asText()).isEqualTo("name");
    assertThat(problem(r).get("message").asText()).isEqualTo("expected a string but got a list");
    Mgmt.Res deep = m.owner("POST", "/api/v1/backends", "[".repeat(1500));
    assertThat(deep.status()).isEqualTo(400);
    assertThat(deep.json().get("detail").asText()).contains("nested deeper than 1000 levels");
    Mgmt.Res ttl = m.owner("POST", "/api/v1/debug-tokens", "{\"api\":\"a\",\"ttlSeconds\":\"long\"}");
    assertThat(ttl.status()).isEqualTo(400);
    assertThat(problem(ttl).get("field").asText()).isEqualTo("ttlSeconds");
  }

  private static JsonNode problem(Mgmt.Res r) {
    JsonNode problems = r.json().get("problems");
    assertThat(problems).as("problems of " + r.body()).isNotNull();
    return problems.get(0);
  }
}
