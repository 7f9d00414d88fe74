-- Hybrid mode: the nodes of the cluster and the single-use tokens that enrol gateway nodes.
-- A token is kept as the SHA-256 of its secret part, never in clear.
CREATE TABLE node_enrolment_tokens (
  id          VARCHAR(64)  NOT NULL PRIMARY KEY,
  token_hash  VARCHAR(64)  NOT NULL UNIQUE,
  created_by  VARCHAR(200) NOT NULL,
  created_at  BIGINT       NOT NULL,
  expires_at  BIGINT       NOT NULL,
  used_at     BIGINT,
  node_id     VARCHAR(64)
);

CREATE TABLE nodes (
  id             VARCHAR(64)  NOT NULL PRIMARY KEY,
  role           VARCHAR(20)  NOT NULL,
  address        VARCHAR(300) NOT NULL,
  version        VARCHAR(100) NOT NULL,
  revision       BIGINT       NOT NULL,
  cert_serial    VARCHAR(64)  NOT NULL,
  enrolled_at    BIGINT       NOT NULL,
  last_heartbeat BIGINT,
  revoked_at     BIGINT
);
