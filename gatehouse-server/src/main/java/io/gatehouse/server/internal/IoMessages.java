package io.gatehouse.server.internal;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Says what an I/O failure means in words for the command line's output, never naming a Java class. */
final class IoMessages {
  private IoMessages() {}

  /** What went wrong in {@code e}, for example {@code no such file: /x/y}. */
  static String describe(IOException e) {
    if (e instanceof NoSuchFileException f) {
      return "no such file: " + f.getFile();
    }
    if (e instanceof AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (e instanceof FileAlreadyExistsException f) {
      return "already exists: " + f.getFile();
    }
    if (e instanceof NotDirectoryException f) {
      return "not a directory: " + f.getFile();
    }
    if (e instanceof HttpTimeoutException) {
      return "timed out";
    }
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
      return io.gatehouse.model.ReadErrors.describe(j, "JSON").toString();
    }
    return io.gatehouse.model.ReadErrors.scrub(e.getMessage() == null ? "input/output error" : e.getMessage());
  }
}
