package io.gatehouse.control;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's request debugging as the management API sees it, without linking the data plane:
 * {@link #open} starts a session for one API and returns its description (id, token, api,
 * expiresAt); {@link #traces} lists what requests carrying the token recorded.
 */
public interface RequestDebugging {

  /** Opens a session for {@code api} lasting {@code ttl} (at most one hour); the value is written as JSON. */
  Object open(String api, Duration ttl);

  /** The recorded requests of live session {@code id} (values written as JSON), empty when none. */
  Optional<List<?>> traces(String id);
}
