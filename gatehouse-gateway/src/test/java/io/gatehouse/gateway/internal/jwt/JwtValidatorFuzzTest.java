package io.gatehouse.gateway.internal.jwt;

import static io.gatehouse.gateway.internal.jwt.TestKeys.EC_P256;
import static io.gatehouse.gateway.internal.jwt.TestKeys.HMAC;
import static io.gatehouse.gateway.internal.jwt.TestKeys.NOW;
import static io.gatehouse.gateway.internal.jwt.TestKeys.RSA;
import static io.gatehouse.gateway.internal.jwt.TestKeys.jwks;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the JWT validator with arbitrary token text: it never throws, answers synchronously for
 * inline keys, and a refused token carries {@code invalid_token}, a reason and no claims.
 */
class JwtValidatorFuzzTest {
  private static final JwtValidator VALIDATOR = JwtValidator.create(
      JwtValidatorSettings.builder().jwks(jwks(RSA, EC_P256, HMAC)).build(), null, new TestKeys.MutableClock(NOW), null);

  @FuzzTest(maxDuration = "30s")
  @Timeout(10) // per input: JUnit enforces it on each seed, Jazzer passes it to libFuzzer as -timeout
  void refusesWithReasonOrAccepts(byte[] input) {
    String token = new String(input, StandardCharsets.UTF_8);
    CompletableFuture<JwtResult> stage = VALIDATOR.validate(token).toCompletableFuture();
    assertThat(stage).as("inline keys answer synchronously").isDone();
    JwtResult result = stage.join();
    if (!result.valid()) {
      assertThat(result.errorCode()).isEqualTo(JwtResult.INVALID_TOKEN);
      assertThat(result.reason()).isNotBlank();
      assertThat(result.claims()).isEmpty();
    }
  }
}
