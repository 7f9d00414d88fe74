-- Traffic-based discovery of every server sharing the database: each server (node) writes what it
-- observed of each endpoint (endpoint: SHA-256 hex of API, method and path template), and answers
-- discovery with every node's rows merged. data is the observation as JSON; times are epoch ms.
CREATE TABLE discovered_endpoints (
  node        VARCHAR(300) NOT NULL,
  endpoint    CHAR(64)     NOT NULL,
  api         VARCHAR(200) NOT NULL,
  last_seen   BIGINT       NOT NULL,
  updated_at  BIGINT       NOT NULL,
  data        TEXT         NOT NULL,
  PRIMARY KEY (node, endpoint)
);
CREATE INDEX discovered_endpoints_api ON discovered_endpoints (api);
