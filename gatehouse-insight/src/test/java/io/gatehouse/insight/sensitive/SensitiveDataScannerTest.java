package io.gatehouse.insight.sensitive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SensitiveDataScannerTest {
  private static Set<SensitiveType> types(String text) {
    return SensitiveDataScanner.scan(text, 10_000).types();
  }

  @Test
  void findsEmailAddresses() {
    assertThat(types("contact jane.doe+x@mail.example.co.uk now")).containsExactly(SensitiveType.EMAIL);
    assertThat(types("user@localhost or @handle or a@b")).doesNotContain(SensitiveType.EMAIL);
  }

  @Test
  void findsPhoneNumbersButNotPlainNumbers() {
    assertThat(types("call +14155550100")).contains(SensitiveType.PHONE);
    assertThat(types("call +44 20 7946 0958")).contains(SensitiveType.PHONE);
    assertThat(types("call (415) 555-0100")).contains(SensitiveType.PHONE);
    assertThat(types("call 030 1234567")).contains(SensitiveType.PHONE);
    assertThat(types("order 4155550100 qty 12345")).doesNotContain(SensitiveType.PHONE);
  }

  @Test
  void findsPaymentCardsWithValidLuhnAndIin() {
    assertThat(types("card 4111 1111 1111 1111")).containsExactly(SensitiveType.PAYMENT_CARD);
    assertThat(types("card 5500-0000-0000-0004")).containsExactly(SensitiveType.PAYMENT_CARD);
    assertThat(types("amex 378282246310005")).containsExactly(SensitiveType.PAYMENT_CARD);
    assertThat(types("card 4111 1111 1111 1112")).doesNotContain(SensitiveType.PAYMENT_CARD); // Luhn
    assertThat(types("id 1234567812345670")).doesNotContain(SensitiveType.PAYMENT_CARD); // no IIN
  }

  @Test
  void findsIbansWithValidChecksum() {
    assertThat(types("pay to DE89 3704 0044 0532 0130 00")).containsExactly(SensitiveType.IBAN);
    assertThat(types("pay to GB82WEST12345698765432")).containsExactly(SensitiveType.IBAN);
    assertThat(types("pay to DE89 3704 0044 0532 0130 01")).doesNotContain(SensitiveType.IBAN);
    assertThat(types("pay to DE89 3704 0044 0532 0130")).doesNotContain(SensitiveType.IBAN); // length
  }

  @Test
  void findsSsnsRespectingAreaGroupSerialRules() {
    assertThat(types("ssn 536-22-1234")).containsExactly(SensitiveType.US_SSN);
    assertThat(types("ssn 000-22-1234")).doesNotContain(SensitiveType.US_SSN);
    assertThat(types("ssn 666-22-1234")).doesNotContain(SensitiveType.US_SSN);
    assertThat(types("ssn 912-22-1234")).doesNotContain(SensitiveType.US_SSN);
    assertThat(types("ssn 536-00-1234")).doesNotContain(SensitiveType.US_SSN);
    assertThat(types("ssn 536-22-0000")).doesNotContain(SensitiveType.US_SSN);
  }

  @Test
  void findsJwtsWithDecodableHeader() {
    String jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    assertThat(types("Authorization: Bearer " + jwt)).containsExactly(SensitiveType.JWT);
    String noAlg = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc"; // {"typ":"JWT"}
    assertThat(types(noAlg)).doesNotContain(SensitiveType.JWT);
  }

  @Test
  void findsPrivateKeysAndCloudCredentials() {
    assertThat(types("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"))
        .containsExactly(SensitiveType.PRIVATE_KEY);
    assertThat(types("-----BEGIN PUBLIC KEY-----")).isEmpty();
    assertThat(types("key=AKIAIOSFODNN7EXAMPLE")).containsExactly(SensitiveType.AWS_ACCESS_KEY);
    assertThat(types("key=AKIAIOSFODNN7EXAMPL")).doesNotContain(SensitiveType.AWS_ACCESS_KEY);
    assertThat(types("AIzaSyA-1234567890abcdefghijklmnopqrstu")).containsExactly(SensitiveType.GCP_API_KEY);
    assertThat(types("ghp_" + "a".repeat(36))).containsExactly(SensitiveType.GITHUB_TOKEN);
    assertThat(types("ghx_" + "a".repeat(36))).isEmpty();
    assertThat(types("xoxb-1234567890-abcdefghij")).containsExactly(SensitiveType.SLACK_TOKEN);
    assertThat(types("DefaultEndpointsProtocol=https;AccountKey=" + "A".repeat(86) + "=="))
        .containsExactly(SensitiveType.AZURE_STORAGE_KEY);
    assertThat(types("sk_live_" + "a1".repeat(12))).containsExactly(SensitiveType.STRIPE_KEY);
  }

  @Test
  void findsIpAddresses() {
    assertThat(types("from 192.168.1.20")).containsExactly(SensitiveType.IPV4);
    assertThat(types("from 999.168.1.20")).doesNotContain(SensitiveType.IPV4);
    assertThat(types("from 2001:db8::8a2e:370:7334 and fe80::1")).containsExactly(SensitiveType.IPV6);
    assertThat(types("at 12:30:45")).doesNotContain(SensitiveType.IPV6);
  }

  @Test
  void reportsPositionsAndCountsAndHonoursMaxChars() {
    ScanResult r = SensitiveDataScanner.scan("a@example.com b@example.com", 100);
    assertThat(r.counts()).containsEntry(SensitiveType.EMAIL, 2);
    assertThat(r.matches().get(1).start()).isEqualTo(14);
    assertThat(SensitiveDataScanner.scan("xxxxxxxxxx a@example.com", 10).isEmpty()).isTrue();
  }

  @Test
  void masksSelectedTypes() {
    String masked = SensitiveDataScanner.mask("card 4111 1111 1111 1111 mail jane@example.com ssn 536-22-1234",
        EnumSet.of(SensitiveType.PAYMENT_CARD, SensitiveType.EMAIL));
    assertThat(masked).isEqualTo("card **** **** **** 1111 mail j***@example.com ssn 536-22-1234");
    assertThat(SensitiveDataScanner.mask("ssn 536-22-1234", EnumSet.of(SensitiveType.US_SSN)))
        .isEqualTo("ssn [US_SSN]");
  }

  @Test
  void candidateRegionsFindExactlyWhatAWholeTextScanFinds() {
    String[] tokens = {"4111 1111 1111 1111", "4111-1111-1111-1111", "5500000000000004", "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432", "123-45-6789", "ann.lee+x@mail.example.co.uk", "a@b.io", "+1 415 555 0100",
        "(415) 555-0100", "030 1234567", "10.0.0.1", "255.255.255.255", "::1", "2001:db8::8a2e:370:7334",
        "0:0:0:0:0:ffff:1.2.3.4", "fe80:0:0:0:0:0:0:1", "AKIAIOSFODNN7EXAMPLE", "AIzaSyA-1234567890abcdefghijklmnopqrstu",
        "ghp_" + "a".repeat(36), "xoxb-1234567890-abcdef", "AccountKey=" + "A".repeat(86) + "==",
        "sig=" + "Zm9v".repeat(11) + "%3D", "sk_live_" + "b".repeat(24),
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----",
        "2026-01-01T10:00:00Z", "12:30:45", "1019.99", "v1.2.3", "id", "\"", ":", ",", " ", "-", ".", "@", "(", ")",
        "+", "/", "0", "7", "42", "1234567", "ab", "AB12", "ff:", "x"};
    java.util.Random random = new java.util.Random(7);
    java.util.Set<SensitiveType> seen = java.util.EnumSet.noneOf(SensitiveType.class);
    for (int round = 0; round < 3000; round++) {
      StringBuilder b = new StringBuilder();
      int n = 1 + random.nextInt(12);
      for (int i = 0; i < n; i++) {
        b.append(tokens[random.nextInt(tokens.length)]);
        if (random.nextBoolean()) {
          b.append(tokens[tokens.length - 1 - random.nextInt(18)]); // punctuation, digits, letters
        }
      }
      String text = b.toString();
      java.util.Set<SensitiveType> all = java.util.EnumSet.allOf(SensitiveType.class);
      ScanResult fast = SensitiveDataScanner.scan(text, 8192, all, false);
      assertThat(fast.matches()).as(text).isEqualTo(SensitiveDataScanner.scan(text, 8192, all, true).matches());
      seen.addAll(fast.types());
    }
    assertThat(seen).as("the texts exercise every type").containsExactlyInAnyOrderElementsOf(
        java.util.EnumSet.allOf(SensitiveType.class));
  }
}
