-- Debug sessions, shared by every server of the database and sent to gateway nodes: a session is
-- known by the SHA-256 of its token (hex) only; the token itself is shown once, to whoever opened it.
CREATE TABLE debug_sessions (
  id          VARCHAR(32)  NOT NULL PRIMARY KEY,
  token_hash  VARCHAR(64)  NOT NULL UNIQUE,
  api         VARCHAR(300) NOT NULL,
  expires_ms  BIGINT       NOT NULL,
  created_at  BIGINT       NOT NULL
);
CREATE INDEX debug_sessions_expiry ON debug_sessions (expires_ms);
-- The traces recorded with a session's token by any node (a bounded number per session, newest
-- kept), deleted with their session when it expires. trace is the recorded request as JSON,
-- secrets already redacted by the node that recorded it; a trace sent again (same session, node and
-- request id) is filed once.
CREATE TABLE debug_traces (
  seq          BIGSERIAL    PRIMARY KEY,
  session_id   VARCHAR(32)  NOT NULL,
  node         VARCHAR(200) NOT NULL,
  request_id   VARCHAR(200) NOT NULL,
  recorded_ms  BIGINT       NOT NULL,
  trace        TEXT         NOT NULL
);
CREATE INDEX debug_traces_session ON debug_traces (session_id, seq);
CREATE INDEX debug_traces_request ON debug_traces (session_id, node, request_id);
