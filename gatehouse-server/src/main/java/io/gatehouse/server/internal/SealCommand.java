package io.gatehouse.server.internal;

import io.gatehouse.control.secrets.Sealing;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gatehouse seal}: encrypts a value (read from standard input or a file, never from the
 * command line) to an instance's public key, printing {@code v1:...} for a {@code sealed:} field;
 * an empty value is refused.
 */
@Command(name = "seal", mixinStandardHelpOptions = true,
    description = "Seal a secret value (from standard input) for an instance; prints v1:... for 'sealed:'.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:sealed", "2:bad options, an empty value, or a value or key file that cannot be read",
        "3:the public key file is not a PEM public key", "4:the server is unreachable, refused the token, or failed"})
public final class SealCommand implements Callable<Integer> {
  @Option(names = "--public-key", paramLabel = "FILE",
      description = "The instance's public key (PEM, from GET /api/v1/seal/public-key); default: ask --server.")
  Path publicKey;

  @Option(names = "--value-file", paramLabel = "FILE", description = "Read the value from FILE instead of standard input.")
  Path valueFile;

  @Mixin ManagementClient client;

  @Override
  public Integer call() throws Exception {
    String value;
    try {
      value = valueFile != null ? Files.readString(valueFile, StandardCharsets.UTF_8)
          : new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println("error: cannot read the value: " + IoMessages.describe(e));
      return ExitCodes.USAGE;
    }
    value = value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
        : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
    if (value.isEmpty()) {
      System.err.println("error: the value to seal is empty: pipe it on standard input or pass --value-file FILE");
      return ExitCodes.USAGE;
    }
    String pem;
    if (publicKey != null) {
      try {
        pem = Files.readString(publicKey, StandardCharsets.UTF_8);
      } catch (IOException e) {
        System.err.println("error: cannot read the public key: " + IoMessages.describe(e));
        return ExitCodes.USAGE;
      }
    } else {
      HttpResponse<String> r;
      try {
        r = client.send("GET", "/api/v1/seal/public-key", null, "application/x-pem-file", null);
      } catch (ManagementClient.Failure e) {
        System.err.println("error: " + e.getMessage());
        return e.exitCode();
      }
      if (r.statusCode() != 200) {
        System.err.println("error: the server answered " + r.statusCode() + " for its public key");
        return ExitCodes.ENVIRONMENT;
      }
      pem = r.body();
    }
    PublicKey key;
    try {
      key = Sealing.parsePublicKey(pem);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + (publicKey != null ? publicKey + ": " : "") + e.getMessage());
      return ExitCodes.INVALID;
    }
    System.out.println(Sealing.seal(key, value));
    return ExitCodes.OK;
  }
}
