package io.gatehouse.control.secrets;

import java.nio.file.Path;
import java.util.Map;

/** Runs one master-key operation against a PKCS#11 token, in a child JVM whose environment names the SoftHSM configuration. */
public final class Pkcs11Probe {
  private Pkcs11Probe() {}

  /** Arguments: operation (encrypt, decrypt, source), SunPKCS11 configuration file, input. */
  public static void main(String[] args) {
    MasterKeys keys = MasterKeys.open(Path.of("."), Map.of("GATEHOUSE_PKCS11_CONFIG", args[1],
        "GATEHOUSE_PKCS11_PIN", "1234", "GATEHOUSE_PKCS11_KEY_LABEL", "gh-master"));
    String result = switch (args[0]) {
      case "encrypt" -> keys.encrypt(args[2]);
      case "decrypt" -> keys.decryptText(args[2]);
      default -> keys.source();
    };
    System.out.println("RESULT " + result);
  }
}
