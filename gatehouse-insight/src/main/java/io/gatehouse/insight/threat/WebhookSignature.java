package io.gatehouse.insight.threat;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook bodies as {@code X-Gatehouse-Signature: sha256=HEX}, the HMAC-SHA256 of the exact
 * body bytes under the shared secret, and verifies such signatures in constant time.
 */
public final class WebhookSignature {
  /** The header carrying the signature. */
  public static final String HEADER = "X-Gatehouse-Signature";

  private WebhookSignature() {}

  /** {@code sha256=} and the lower-case hex HMAC-SHA256 of {@code body} under {@code secret}. */
  public static String sign(String secret, byte[] body) {
    requireNonNull(secret, "secret");
    requireNonNull(body, "body");
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  /** Whether {@code signature} is the signature of {@code body} under {@code secret}. */
  public static boolean verify(String secret, byte[] body, String signature) {
    if (signature == null) {
      return false;
    }
    return MessageDigest.isEqual(sign(secret, body).getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII));
  }
}
