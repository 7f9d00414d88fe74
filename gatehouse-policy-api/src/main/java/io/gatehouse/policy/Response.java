package io.gatehouse.policy;

/** A response flowing back to the client: status, header fields and body, all changeable. */
public interface Response {

  /** The status code. */
  int status();

  /** Replaces the status code. */
  void status(int status);

  /** The response's header fields. */
  Headers headers();

  /** The response body. */
  Body body();

  /** Replaces the response body. */
  void body(Body body);
}
