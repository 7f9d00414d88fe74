-- PostgreSQL: the same tables as the SQLite schema (ids assigned by the store).
CREATE TABLE revisions (
  id         BIGINT        NOT NULL PRIMARY KEY,
  created_at BIGINT        NOT NULL, -- epoch milliseconds
  author     VARCHAR(200)  NOT NULL,
  message    VARCHAR(2000) NOT NULL,
  source     VARCHAR(40)   NOT NULL,
  config     TEXT          NOT NULL  -- normalized GatewayConfig as JSON
);

CREATE TABLE admin_tokens (
  name       VARCHAR(200) NOT NULL PRIMARY KEY,
  token_hash VARCHAR(100) NOT NULL UNIQUE,
  created_at BIGINT       NOT NULL
);
