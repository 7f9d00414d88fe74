package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code gatehouse} launcher script runs the jar in the caller's working directory, so relative paths on the
 * command line and the default {@code ./data} are the caller's; shown with a stand-in jar in a copy of the checkout.
 */
class LauncherTest {
  /** The stand-in for Gatehouse: prints its working directory and whether each argument names an existing file. */
  public static final class PrintWorkingDirectory {
    public static void main(String[] args) {
      System.out.println("cwd=" + Path.of("").toAbsolutePath());
      for (String a : args) {
        System.out.println(a + "=" + (Files.exists(Path.of(a)) ? "exists" : "absent"));
      }
    }
  }

  @Test
  void runsTheJarInTheCallersDirectorySoRelativePathsAreTheCallers(@TempDir Path dir) throws Exception {
    Path script = Path.of("").toAbsolutePath().getParent().resolve("gatehouse");
    assumeTrue(Files.isRegularFile(script) && Files.isExecutable(Path.of("/bin/sh")), "a POSIX shell and the launcher");
    Path checkout = dir.resolve("check out"); // a space, as in many home directories
    Files.createDirectories(checkout.resolve("gatehouse-server/target"));
    Files.copy(script, checkout.resolve("gatehouse"));
    standInJar(checkout.resolve("gatehouse-server/target/gatehouse.jar"));
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.writeString(work.resolve("gatehouse.yaml"), "backends: []\n");

    for (String command : List.of("apply", "serve")) { // serve also takes the class-data sharing path
      ProcessBuilder pb = new ProcessBuilder("/bin/sh", checkout.resolve("gatehouse").toString(), command,
          "gatehouse.yaml").directory(work.toFile()).redirectErrorStream(true);
      pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");
      Process p = pb.start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).as(command).contains("cwd=" + work.toRealPath()).contains("gatehouse.yaml=exists")
          .doesNotContain("Building");
    }
    try (var files = Files.list(checkout)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("gatehouse", "gatehouse-server");
    }
  }

  private static void standInJar(Path jar) throws Exception {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, PrintWorkingDirectory.class.getName());
    String entry = PrintWorkingDirectory.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
        InputStream cls = LauncherTest.class.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new JarEntry(entry));
      cls.transferTo(out);
      out.closeEntry();
    }
  }
}
