package io.gatehouse.gateway.internal.http1;

/**
 * The client time limits {@link StrictHttp1Validator} enforces on one HTTP/1.x connection, in
 * nanoseconds, and its lingering close after an early rejection.
 *
 * @param headNanos the whole request head must arrive within this (from accept for the first
 *     request, from its first byte for later ones)
 * @param bodyIdleNanos the longest silence while a request body is being received
 * @param keepAliveNanos the longest wait after the last response for the next request's first byte
 * @param lingerNanos how long input is read and discarded after an early rejection; 0 closes at once
 * @param lingerBytes the most input bytes discarded while lingering
 */
public record Http1Timeouts(long headNanos, long bodyIdleNanos, long keepAliveNanos, long lingerNanos, int lingerBytes) {
  public Http1Timeouts {
    if (headNanos <= 0 || bodyIdleNanos <= 0 || keepAliveNanos <= 0 || lingerNanos < 0 || lingerBytes < 0) {
      throw new IllegalArgumentException("expected positive timeouts and non-negative linger limits but got head="
          + headNanos + " bodyIdle=" + bodyIdleNanos + " keepAlive=" + keepAliveNanos + " linger=" + lingerNanos
          + " lingerBytes=" + lingerBytes);
    }
  }
}
