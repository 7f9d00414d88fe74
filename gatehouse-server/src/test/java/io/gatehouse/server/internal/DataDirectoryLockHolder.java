package io.gatehouse.server.internal;

import java.nio.file.Path;

/**
 * A child process for {@link ServeDataDirectoryLockTest}: takes the lock of the data directory given as its argument
 * the way {@code serve} does, prints {@code locked}, and holds it until it is killed.
 */
public final class DataDirectoryLockHolder {
  private DataDirectoryLockHolder() {}

  /** Takes the lock of {@code args[0]} and waits to be killed. */
  public static void main(String[] args) throws Exception {
    DataDirectoryLock lock = DataDirectoryLock.acquire(Path.of(args[0]));
    System.out.println("locked");
    System.out.flush();
    System.in.read(); // until killed (or its input closes)
    lock.close();
  }
}
