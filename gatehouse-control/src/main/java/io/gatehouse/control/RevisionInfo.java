package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What is known about a revision apart from its content: its number, when and by whom it was
 * committed, why, and through which channel.
 *
 * @param id revision number, increasing from 1; 0 stands for the empty configuration before any
 *     commit
 * @param time when the revision was committed (millisecond precision)
 * @param author who committed it, for example an admin token's name
 * @param message why, as given by the author
 * @param source how it arrived: {@code api}, {@code file}, {@code rollback}, or {@code none} for
 *     revision 0
 */
public record RevisionInfo(long id, Instant time, String author, String message, String source) {
  public RevisionInfo {
    requireNonNull(time, "time");
    requireNonNull(author, "author");
    requireNonNull(message, "message");
    requireNonNull(source, "source");
  }
}
