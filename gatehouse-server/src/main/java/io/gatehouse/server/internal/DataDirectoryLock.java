package io.gatehouse.server.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.model.storage.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One writer per data directory: {@code serve} holds an exclusive operating-system lock on {@code DATA/.lock}
 * (mode 0600, holding the server's pid) for its whole life, and a second server or an offline command that writes
 * the directory is refused with one line while it is held.
 *
 * <p>The operating system releases the lock when the holding process ends, however it ends, so a lock left by a
 * crashed server never blocks. Java file locks belong to the whole JVM, and on POSIX systems closing any channel to a
 * locked file releases the process's locks on it; so the directories this JVM holds are also kept in a table, and a
 * check on one of them refuses without opening the file.
 */
final class DataDirectoryLock implements AutoCloseable {
  /** The lock file's name inside the data directory. */
  static final String FILE_NAME = ".lock";

  /** The data directories (real paths) this JVM holds, with the pid written into their lock files. */
  private static final Map<Path, Long> HELD = new ConcurrentHashMap<>();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectoryLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /** The data directory is held by another server: the message is the one line to print after {@code error: }. */
  static final class InUse extends Exception {
    private static final long serialVersionUID = 1L;

    InUse(Path data, String pid) {
      super("data directory " + data + " is in use by another Gatehouse server" + (pid == null ? "" : " (pid " + pid + ")")
          + "; stop it or pass another --data");
    }
  }

  /**
   * Takes the lock of {@code data}, creating the directory (0700) and its lock file (0600) when missing; a held lock
   * changes nothing in the directory.
   *
   * @throws InUse when another process, or another server of this JVM, holds it
   * @throws UncheckedIOException when the directory or the lock file cannot be created or locked
   */
  static DataDirectoryLock acquire(Path data) throws InUse {
    requireNonNull(data, "data");
    Path file = data.resolve(FILE_NAME);
    PrivateFiles.file(file); // an existing one is left as it is: it is written only once locked
    Path key = realPath(data);
    synchronized (HELD) {
      if (HELD.containsKey(key)) {
        throw new InUse(data, String.valueOf(HELD.get(key)));
      }
      FileChannel channel = null;
      try {
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          String pid = pid(channel);
          channel.close();
          throw new InUse(data, pid);
        }
        long pid = ProcessHandle.current().pid();
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(true);
        HELD.put(key, pid);
        return new DataDirectoryLock(key, channel, lock);
      } catch (IOException e) {
        closeQuietly(channel);
        throw new UncheckedIOException("cannot lock " + file + ": " + IoMessages.describe(e), e);
      }
    }
  }

  /**
   * Refuses when a server holds {@code data}, for offline commands that write the directory; creates and changes
   * nothing (an absent directory or lock file is free).
   *
   * @throws InUse when a server holds it
   */
  static void refuseIfHeld(Path data) throws InUse {
    requireNonNull(data, "data");
    Path file = data.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return;
    }
    Path key = realPath(data);
    synchronized (HELD) {
      Long own = HELD.get(key);
      if (own != null) { // never open a file this JVM holds: closing the channel would release the lock
        throw new InUse(data, String.valueOf(own));
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        FileLock probe;
        try {
          probe = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          probe = null;
        }
        if (probe == null) {
          throw new InUse(data, pid(channel));
        }
        probe.release();
      } catch (NoSuchFileException e) {
        // removed meanwhile: free
      } catch (IOException e) {
        throw new UncheckedIOException("cannot check the lock " + file + ": " + IoMessages.describe(e), e);
      }
    }
  }

  /** Releases the lock; the lock file stays (a later server reuses it). */
  @Override
  public void close() {
    synchronized (HELD) {
      try {
        lock.release();
      } catch (IOException e) {
        // the channel's close below releases it too
      }
      closeQuietly(channel);
      HELD.remove(key);
    }
  }

  /** The pid the holder wrote into the lock file, or null when it is unreadable. */
  private static String pid(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(32);
      channel.read(buffer, 0);
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
      return text.matches("\\d{1,19}") ? text : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Path realPath(Path data) {
    try {
      return data.toRealPath();
    } catch (IOException e) {
      return data.toAbsolutePath().normalize();
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing more to release
      }
    }
  }
}
