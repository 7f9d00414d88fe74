package io.gatehouse.control.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SealingTest {
  @Test
  void sealsToThePublicKeyAndOnlyTheKeyPairOpens() {
    Sealing instance = Sealing.generate();
    String sealed = Sealing.seal(Sealing.parsePublicKey(instance.publicKeyPem()), "p@ss w0rd ✓");
    assertThat(sealed).startsWith("v1:").doesNotContain("p@ss");
    assertThat(instance.unseal(sealed)).isEqualTo("p@ss w0rd ✓");
    Sealing reloaded = Sealing.of(instance.publicKey(), instance.privateKey());
    assertThat(reloaded.unseal(sealed)).isEqualTo("p@ss w0rd ✓");
    assertThatThrownBy(() -> Sealing.generate().unseal(sealed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another instance");
    assertThatThrownBy(() -> instance.unseal("v1:AAAA")).hasMessageContaining("malformed");
  }
}
