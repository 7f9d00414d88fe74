package io.gatehouse.control.secrets;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which {@code file:} and {@code env:} references the server may read, and which files a
 * configuration written through the management API may name, as given on its command line
 * ({@code --reference-allow}); everything not listed is refused, the data directory and the
 * server's own settings ({@code GATEHOUSE_*}, {@code VAULT_*}) always.
 *
 * <p>A file entry ({@code file:/etc/gatehouse/secrets/}) allows that file or anything under that
 * directory, compared component by component after resolving {@code ..} and symbolic links, so no
 * path escapes it. An env entry allows one variable ({@code env:APP_TOKEN}) or every variable with a
 * prefix ({@code env:APP_*}). {@code vault:} references are not affected. Immutable.
 */
public final class ReferenceAllowlist {
  /** The command-line flag that sets the list. */
  public static final String FLAG = "--reference-allow";
  /** Environment variable prefixes that are never readable through a reference. */
  private static final List<String> RESERVED_ENV = List.of("GATEHOUSE_", "VAULT_");

  private final List<Path> files;
  private final List<String> envExact;
  private final List<String> envPrefixes;
  private final Path dataDir;
  private final String spec;

  private ReferenceAllowlist(List<Path> files, List<String> envExact, List<String> envPrefixes, Path dataDir, String spec) {
    this.files = List.copyOf(files);
    this.envExact = List.copyOf(envExact);
    this.envPrefixes = List.copyOf(envPrefixes);
    this.dataDir = dataDir;
    this.spec = spec;
  }

  /** The list that allows no {@code file:} and no {@code env:} reference. */
  public static ReferenceAllowlist none() {
    return new ReferenceAllowlist(List.of(), List.of(), List.of(), null, "");
  }

  /**
   * Parses {@code spec}, a comma-separated list of {@code file:ABSOLUTE_PATH}, {@code env:NAME} and
   * {@code env:PREFIX*} (blank or null: nothing allowed); {@code dataDir} is never allowed.
   *
   * @throws IllegalArgumentException naming the entry that is not of these forms
   */
  public static ReferenceAllowlist parse(String spec, Path dataDir) {
    requireNonNull(dataDir, "dataDir");
    List<Path> files = new ArrayList<>();
    List<String> exact = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String text = spec == null ? "" : spec.strip();
    if (!text.isEmpty()) {
      for (String raw : text.split(",")) {
        String entry = raw.strip();
        if (entry.startsWith("file:")) {
          String p = entry.substring(5);
          Path path = absolute(p);
          if (path == null) {
            throw new IllegalArgumentException(FLAG + ": expected file:ABSOLUTE_PATH without '..' but got '" + entry + "'");
          }
          files.add(real(path));
        } else if (entry.startsWith("env:") && entry.substring(4).matches("[A-Za-z_][A-Za-z0-9_]*\\*?")) {
          String name = entry.substring(4);
          if (name.endsWith("*")) {
            prefixes.add(name.substring(0, name.length() - 1));
          } else {
            exact.add(name);
          }
        } else {
          throw new IllegalArgumentException(FLAG + ": expected file:ABSOLUTE_PATH, env:NAME or env:PREFIX* but got '"
              + entry + "'");
        }
      }
    }
    return new ReferenceAllowlist(files, exact, prefixes, real(dataDir.toAbsolutePath().normalize()), text);
  }

  /**
   * Why {@code ref} may not be read, or empty when it may (every {@code vault:} reference, and
   * {@code file:}/{@code env:} references this list allows). Checks the path as written and, when
   * the file exists, where it really leads.
   */
  public Optional<String> refusal(String ref) {
    requireNonNull(ref, "ref");
    if (ref.startsWith("env:")) {
      String name = ref.substring(4);
      for (String reserved : RESERVED_ENV) {
        if (name.toUpperCase(Locale.ROOT).startsWith(reserved)) {
          return Optional.of("reference '" + ref + "' is refused: the server's own settings (" + RESERVED_ENV
              + "*) are never readable, even when listed in " + FLAG);
        }
      }
      if (envExact.contains(name) || envPrefixes.stream().anyMatch(name::startsWith)) {
        return Optional.empty();
      }
      return Optional.of(notListed(ref));
    }
    if (ref.startsWith("file:")) {
      Path path = absolute(ref.substring(5));
      if (path == null) {
        return Optional.of("reference '" + ref + "' is not allowed: expected file:ABSOLUTE_PATH without '..', under"
            + " a file or directory listed in " + FLAG);
      }
      Path real = real(path);
      if (dataDir != null && (path.startsWith(dataDir) || real.startsWith(dataDir))) {
        return Optional.of("reference '" + ref + "' is refused: the data directory is never readable through a"
            + " reference, even when listed in " + FLAG);
      }
      if (files.stream().anyMatch(real::startsWith)) {
        return Optional.empty();
      }
      return Optional.of(notListed(ref));
    }
    return Optional.empty();
  }

  /**
   * The real path of the file {@code ref} names, checked against this list just before it is read.
   *
   * @throws IOException when the list refuses it or it cannot be resolved
   */
  Path file(String ref) throws IOException {
    Optional<String> refused = refusal(ref);
    if (refused.isPresent()) {
      throw new IOException(refused.get());
    }
    Path real = absolute(ref.substring(5)).toRealPath();
    Optional<String> again = refusal("file:" + real);
    if (again.isPresent()) {
      throw new IOException(again.get());
    }
    return real;
  }

  /** The list as given on the command line ({@code none} when empty). */
  @Override
  public String toString() {
    return spec.isEmpty() ? "none" : spec;
  }

  private String notListed(String ref) {
    return "reference '" + ref + "' is not allowed: file: and env: references must be listed in " + FLAG
        + " on the server's command line (now: " + this + ")";
  }

  /** {@code text} as an absolute, normalized path, or {@code null} when relative, empty or containing '..'. */
  private static Path absolute(String text) {
    try {
      Path p = Path.of(text);
      for (Path part : p) {
        if (part.toString().equals("..")) {
          return null;
        }
      }
      return p.isAbsolute() ? p.normalize() : null;
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /**
   * Where {@code path} really leads: symbolic links resolved, also those of a file that does not
   * exist (yet) or a link that dangles; the path as given when nothing on it exists.
   */
  private static Path real(Path path) {
    Path p = path;
    for (int hops = 0; hops < 40; hops++) {
      try {
        if (Files.exists(p)) {
          return p.toRealPath();
        }
        if (Files.isSymbolicLink(p)) {
          p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
          continue;
        }
        Path parent = p.getParent();
        return parent == null ? p : real(parent).resolve(p.getFileName());
      } catch (IOException e) {
        return p;
      }
    }
    return p;
  }
}
