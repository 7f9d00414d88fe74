package io.gatehouse.model.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The data directory's file-mode rule in one place: directories are created 0700 and files 0600,
 * with the mode given at creation (never left to the process umask), and {@link #looser} lists
 * existing paths that other users can read or write.
 *
 * <p>SQLite creates a database's {@code -wal}, {@code -shm} and journal files with the mode of the
 * database file, so creating the database file with {@link #file} before opening it keeps those
 * private too. On a file system without POSIX permissions the modes are not set or checked.
 */
public final class PrivateFiles {
  /** Mode of directories: owner only. */
  public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  /** Mode of files: owner read and write. */
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private PrivateFiles() {}

  /** Creates {@code dir} and any missing parents with mode 0700; an existing directory is left as it is. */
  public static Path directory(Path dir) {
    requireNonNull(dir, "dir");
    try {
      if (!Files.isDirectory(dir)) {
        try {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
        } catch (UnsupportedOperationException e) {
          Files.createDirectories(dir);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates {@code file} empty with mode 0600 unless it exists (its parent with {@link #directory}),
   * so that whatever opens it next (SQLite, a writer) writes into a private file.
   */
  public static Path file(Path file) {
    requireNonNull(file, "file");
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      directory(parent);
    }
    try {
      try {
        Files.createFile(file, ownerOnly());
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException e) {
      // kept as it is; looser() reports a loose one
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create file " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  /** The attribute that creates a file with mode 0600, for {@code Files.createFile} and friends. */
  public static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
    return PosixFilePermissions.asFileAttribute(FILE);
  }

  /** A path and its mode as {@code ls} writes it, for example {@code rw-r--r--}. */
  public record Loose(Path path, String mode, String expected) {
    @Override
    public String toString() {
      return path + " has mode " + mode + " (expected " + expected + " or stricter)";
    }
  }

  /**
   * {@code dir} itself and every directory and file below it (symbolic links not followed) whose
   * mode grants anything to the group or to others; empty when {@code dir} does not exist or the
   * file system has no POSIX permissions.
   */
  public static List<Loose> looser(Path dir) {
    requireNonNull(dir, "dir");
    List<Loose> loose = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return loose;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isSymbolicLink(p)) {
          continue;
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        if (mode.stream().anyMatch(OTHERS::contains)) {
          boolean directory = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
          loose.add(new Loose(p, PosixFilePermissions.toString(mode),
              PosixFilePermissions.toString(directory ? DIRECTORY : FILE)));
        }
      }
    } catch (UnsupportedOperationException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the modes below " + dir + ": " + e.getMessage(), e);
    }
    return loose;
  }
}
