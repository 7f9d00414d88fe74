package io.gatehouse.server.internal;

import io.gatehouse.gateway.GatewayOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Turns {@code --tls-cert} arguments into certificates, checking that the files exist. */
final class TlsArgs {
  private TlsArgs() {}

  static List<GatewayOptions.Certificate> parse(List<String> args) {
    List<GatewayOptions.Certificate> out = new ArrayList<>();
    for (String arg : args) {
      String[] parts = arg.split(",", -1);
      if (parts.length == 2) {
        out.add(GatewayOptions.Certificate.pem(existing(parts[0], arg), existing(parts[1], arg)));
      } else if (parts.length == 1 && (arg.endsWith(".p12") || arg.endsWith(".pfx"))) {
        out.add(GatewayOptions.Certificate.pkcs12(existing(arg, arg), System.getenv("GATEHOUSE_TLS_PASSWORD")));
      } else {
        throw new CommandLine.ParameterException(new CommandLine(new ServeCommand()),
            "--tls-cert expects CERT.pem,KEY.pem or STORE.p12 but got '" + arg + "'");
      }
    }
    return out;
  }

  private static Path existing(String file, String arg) {
    Path p = Path.of(file);
    if (!Files.isReadable(p)) {
      throw new CommandLine.ParameterException(new CommandLine(new ServeCommand()),
          "--tls-cert " + arg + ": cannot read " + file);
    }
    return p;
  }
}
