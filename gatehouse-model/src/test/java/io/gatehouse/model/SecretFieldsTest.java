package io.gatehouse.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretFieldsTest {
  static final String YAML = """
      namedValues:
        - {name: key, type: secret, value: s3cret}
        - {name: ref, type: reference, ref: "vault:kv/app#token"}
        - {name: region, value: eu}
      backends:
        - name: b
          url: http://127.0.0.1:1/${nv:region}
          tls: {caFile: /etc/ca.pem}
          credentials: {header: {name: X-Key, value: "${nv:key}"}}
      apis:
        - name: a
          path: /a
          backend: b
          policies:
            inbound:
              - set-header: {name: X-Key, value: "${nv:key}"}
              - send-request: {url: "http://x", response-variable-name: r, headers: {X-Token: "${nv:ref}"}}
              - return-response: {body: "region=${nv:region}"}
              - validate-client-certificate: {crl-file: /etc/crl.pem, trusted-ca: ["-----BEGIN CERTIFICATE-----", /etc/ca2.pem]}
            outbound:
              - set-header: {name: X-Echo, value: "${nv:key}"}
              - choose:
                  when:
                    - condition: "true"
                      policies:
                        - return-response: {body: "${nv:ref}"}
      """;

  /** Mapped without validation: the files named here need not exist. */
  GatewayConfig config() throws Exception {
    return ConfigMapper.yaml().readValue(YAML, GatewayConfig.class);
  }

  @Test
  void findsSecretsOutsideSecretBearingFieldsOnly() throws Exception {
    assertThat(SecretFields.exposed(config())).extracting(SecretFields.Placement::at, SecretFields.Placement::namedValue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("api 'a' policies.outbound[0].set-header.value", "key"),
            org.assertj.core.groups.Tuple.tuple("api 'a' policies.outbound[1].choose.when[0].policies[0].return-response.body",
                "ref"));
  }

  @Test
  void aPlacementKeepsItsIdentityWhenItMovesWithinAList() {
    assertThat(new SecretFields.Placement("api 'a' policies.outbound[3].set-header.value", "key").key())
        .isEqualTo(new SecretFields.Placement("api 'a' policies.outbound[0].set-header.value", "key").key());
  }

  @Test
  void findsEveryFileAConfigurationNames() throws Exception {
    assertThat(FileFields.of(config())).extracting(FileFields.Use::path)
        .containsExactly("/etc/ca.pem", "/etc/crl.pem", "/etc/ca2.pem");
  }
}
